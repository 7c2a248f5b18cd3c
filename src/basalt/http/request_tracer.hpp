// RequestTracer: the trace of each answered request (docs/observability.md, "Traces"). The
// connection asks it once per request that reached the dispatcher, on the worker thread, right
// after the response was written and before the access-log line, which then carries the
// trace id it returns.
//
// It must not block or throw, and should cost next to nothing for a request it does not
// sample (the implementation allocates only for sampled spans).
#pragma once

#include <array>
#include <chrono>

namespace basalt::http {

class Request;

struct RequestTrace {
  std::array<char, 32> trace_id{};  // lowercase hex
  bool present = false;  // false: no trace id for this request (tracing off, nothing incoming)
};

class RequestTracer {
 public:
  virtual ~RequestTracer() = default;
  // `started`: when the request had been read (wall clock); `duration`: until its answer.
  virtual RequestTrace on_request(const Request& request, int status,
                                  std::chrono::system_clock::time_point started,
                                  std::chrono::steady_clock::duration duration) noexcept = 0;
};

}  // namespace basalt::http
