// The scenario sender's input: what bench/scenarios/load.mjs hands over for one scenario's timed
// loop (the server, the concurrency, the connection mode and every request, built before the
// clock starts). Read from a file in a small line format, documented in bench/README.md
// ("The native sender"); every size is bounded and anything malformed is refused with a message.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

namespace scenario_sender {

struct PlannedRequest {
  std::string method;  // an HTTP verb Beast knows ("GET", "POST", "PATCH", "DELETE", ...)
  std::string target;  // path and query, no whitespace
  std::string token;   // the Authorization header's value; empty: none
  std::string body;    // sent as application/json when not empty
  bool from_worker_source = false;  // connect from the worker's own source address
  bool retry_throttled = false;     // wait out a 429's Retry-After and send again
};

struct Plan {
  std::string host;  // an IPv4 address
  std::uint16_t port = 0;
  std::size_t concurrency = 1;  // requests in flight at most, each on a worker of its own
  bool keep_alive = false;      // false: a fresh connection per request (PocketBase's runner)
  std::vector<std::string> worker_sources;  // source address of worker k (k < concurrency)
  std::vector<PlannedRequest> requests;
};

// Bounds on the input (a plan is written by our own orchestrator, but a broken one must fail
// with a message, not exhaust memory).
inline constexpr std::size_t kMaxRequests = 1'000'000;
inline constexpr std::size_t kMaxConcurrency = 10'000;
inline constexpr std::size_t kMaxTokenBytes = 64 * 1024;
inline constexpr std::size_t kMaxBodyBytes = 16 * 1024 * 1024;
inline constexpr std::size_t kMaxTargetBytes = 64 * 1024;

// Throws std::runtime_error naming the first thing wrong with the input.
Plan read_plan(std::istream& in);

}  // namespace scenario_sender
