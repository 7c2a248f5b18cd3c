// Runs a Plan's requests over loopback HTTP/1.1 with at most plan.concurrency in flight, the way
// PocketBase's runner does (a pool of workers taking the next request index), and measures the
// wall time of the whole loop and the CPU this process spent in it.
//
// Thread ownership: everything runs on the calling thread (one io_context, one coroutine per
// worker); run_plan returns when every request has an outcome.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "request_plan.hpp"

namespace scenario_sender {

struct Outcome {
  int status = 0;               // the final answer's status; 0 when none came (body says why)
  std::int64_t latency_us = 0;  // first byte sent to last byte read, retries and waits included
  int throttled_retries = 0;    // 429s waited out and sent again
  std::string body;             // the final answer's body, or the transport error
};

struct RunResult {
  double wall_seconds = 0;        // first worker starting to last outcome
  double cpu_seconds = 0;         // this process's user + system CPU over the same span
  std::vector<Outcome> outcomes;  // one per request, in plan order
};

// Bounds on what a server may send or take: a bigger answer or a longer wait is an error
// outcome, not a hang or an allocation without end.
inline constexpr std::uint64_t kMaxResponseBytes = 64ull * 1024 * 1024;
inline constexpr int kRequestTimeoutSeconds = 10 * 60;
inline constexpr int kMaxThrottledRetries = 100;
inline constexpr int kMaxRetryAfterSeconds = 10;

// Throws std::runtime_error before sending anything when a request's method is unknown.
RunResult run_plan(const Plan& plan);

}  // namespace scenario_sender
