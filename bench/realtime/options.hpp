// Command-line options of bench_realtime (see usage() in options.cpp).
#pragma once

#include <cstdint>
#include <string>

namespace rtbench {

struct Options {
  std::string host = "127.0.0.1";  // a numeric address: loopback is the point
  std::uint16_t port = 8090;
  std::string collection = "rt_events";
  std::uint32_t clients = 100;
  std::uint32_t threads = 1;                // io_context threads for the SSE clients
  double ramp_per_second = 1000;            // new streams opened per second, all threads together
  std::uint32_t subscribe_connections = 4;  // keep-alive connections per thread for POSTs
  double rate = 100;                        // creates per second
  double duration_seconds = 30;
  std::uint32_t writer_max_in_flight = 32;  // past it a due create is skipped, and counted
  std::string token;                        // Authorization for the creates, if any
  double ready_timeout_seconds = 120;       // for every client to be subscribed
  double settle_seconds = 5;                // after the last create, for its events to arrive
  bool wait_stdin = false;                  // after READY, wait for a line on stdin to write
};

// Parses argv; prints usage and exits on --help or a bad option.
Options parse_options(int argc, char** argv);

}  // namespace rtbench
