// The writer: creates in the benchmark collection at a fixed rate, each record carrying
// `sent_us` (wall-clock microseconds taken just before its request is written) and `seq`.
// Paced against absolute deadlines (start + seq / rate), so a late timer is caught up on, not
// carried into every later create. Creates run on up to max-in-flight keep-alive connections,
// opened as needed; a create due while that many are in flight is skipped and counted (the
// server is not keeping up, which the report must show rather than hide in a lower rate).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "latency_histogram.hpp"
#include "options.hpp"

namespace rtbench {

struct WriterStats {
  std::uint64_t sent = 0;
  std::uint64_t created = 0;  // answered 200
  std::uint64_t refused = 0;  // answered otherwise
  std::uint64_t errors = 0;   // connection failed mid-create
  std::uint64_t skipped = 0;  // due while max-in-flight creates were pending
  std::uint32_t connections = 0;
  double seconds = 0;           // first send to last answer
  LatencyHistogram round_trip;  // create request to its answer, microseconds
};

class Writer {
 public:
  Writer(const Options& options, const boost::asio::ip::tcp::endpoint& endpoint);
  ~Writer();
  // Writes for the configured duration on the calling thread; returns when every create was
  // answered.
  WriterStats run();

 private:
  struct Connection;

  boost::asio::awaitable<void> pace();
  boost::asio::awaitable<void> create(std::uint64_t seq);

  boost::asio::io_context context_{1};
  boost::asio::ip::tcp::endpoint endpoint_;
  std::string host_header_;
  std::string path_;
  std::string token_;
  double rate_;
  double duration_seconds_;
  std::uint32_t max_in_flight_;
  std::uint32_t in_flight_ = 0;
  std::uint32_t refusals_printed_ = 0;
  std::vector<std::unique_ptr<Connection>> idle_;
  WriterStats stats_;
};

}  // namespace rtbench
