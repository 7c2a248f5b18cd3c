#include "options.hpp"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace rtbench {

namespace {

void usage(const char* program) {
  std::fprintf(stderr,
               "usage: %s [options]\n"
               "  --host ADDR               server address (127.0.0.1)\n"
               "  --port N                  server port (8090)\n"
               "  --collection NAME         collection to subscribe to and write (rt_events)\n"
               "  --clients N               SSE clients (100)\n"
               "  --threads N               client threads, one io_context each (1)\n"
               "  --ramp N                  streams opened per second (1000)\n"
               "  --subscribe-connections N keep-alive POST connections per thread (4)\n"
               "  --rate N                  creates per second (100)\n"
               "  --duration S              seconds of writing (30)\n"
               "  --writer-max-in-flight N  creates in flight before one is skipped (32)\n"
               "  --token T                 Authorization header of the creates (none)\n"
               "  --ready-timeout S         for all clients to subscribe (120)\n"
               "  --settle S                after the last create, for its events (5)\n"
               "  --wait-stdin              after READY, start writing on a line from stdin\n",
               program);
}

[[noreturn]] void fail(const char* program, std::string_view message) {
  std::fprintf(stderr, "bench_realtime: %.*s\n", static_cast<int>(message.size()), message.data());
  usage(program);
  std::exit(2);
}

template <typename Number>
Number number_of(const char* program, std::string_view name, std::string_view text) {
  Number value{};
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || value <= 0) {
    fail(program, std::string(name) + " needs a positive number, got '" + std::string(text) + "'");
  }
  return value;
}

}  // namespace

Options parse_options(int argc, char** argv) {
  Options o;
  const char* program = argv[0];
  for (int i = 1; i < argc; ++i) {
    std::string_view name = argv[i];
    if (name == "--help" || name == "-h") {
      usage(program);
      std::exit(0);
    }
    if (name == "--wait-stdin") {
      o.wait_stdin = true;
      continue;
    }
    if (i + 1 >= argc) fail(program, std::string(name) + " needs a value");
    std::string_view value = argv[++i];
    if (name == "--host")
      o.host = value;
    else if (name == "--port")
      o.port = number_of<std::uint16_t>(program, name, value);
    else if (name == "--collection")
      o.collection = value;
    else if (name == "--clients")
      o.clients = number_of<std::uint32_t>(program, name, value);
    else if (name == "--threads")
      o.threads = number_of<std::uint32_t>(program, name, value);
    else if (name == "--ramp")
      o.ramp_per_second = number_of<double>(program, name, value);
    else if (name == "--subscribe-connections")
      o.subscribe_connections = number_of<std::uint32_t>(program, name, value);
    else if (name == "--rate")
      o.rate = number_of<double>(program, name, value);
    else if (name == "--duration")
      o.duration_seconds = number_of<double>(program, name, value);
    else if (name == "--writer-max-in-flight")
      o.writer_max_in_flight = number_of<std::uint32_t>(program, name, value);
    else if (name == "--token")
      o.token = value;
    else if (name == "--ready-timeout")
      o.ready_timeout_seconds = number_of<double>(program, name, value);
    else if (name == "--settle")
      o.settle_seconds = number_of<double>(program, name, value);
    else
      fail(program, "unknown option " + std::string(name));
  }
  if (o.threads > o.clients) o.threads = o.clients;
  return o;
}

}  // namespace rtbench
