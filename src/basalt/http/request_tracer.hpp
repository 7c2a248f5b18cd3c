// RequestTracer: the trace of each request (docs/observability.md, "Traces"). The connection
// asks it on the worker thread, once per request that reached the dispatcher:
//   begin() before the dispatch: the trace decision (continue the caller's trace or start
//     one; sampled or not), with the request's span put into the connection's SpanCell so
//     that the child spans taken while the request runs (core/span_scope.hpp) hang under it;
//   end() after the response was written and before the access-log line, which then carries
//     the trace id: the server span of a sampled request.
//
// Neither may block or throw, and both should cost next to nothing for a request that is not
// sampled (the implementation allocates only for sampled spans).
#pragma once

#include <array>
#include <chrono>

#include "basalt/core/span_scope.hpp"

namespace basalt::http {

class Request;

struct RequestTrace {
  std::array<char, 32> trace_id{};  // lowercase hex
  bool present = false;  // false: no trace id for this request (tracing off, nothing incoming)
  bool sampled = false;
  bool has_parent = false;  // continues a caller's trace (parent_id is the caller's span)
  core::TraceId id{};
  core::SpanId span_id{};  // the request's own span
  core::SpanId parent_id{};
};

class RequestTracer {
 public:
  virtual ~RequestTracer() = default;
  virtual RequestTrace begin(const Request& request, core::SpanCell& cell) noexcept = 0;
  // `started`: when the request had been read (wall clock); `duration`: until its answer.
  virtual void end(const Request& request, const RequestTrace& trace, int status,
                   std::chrono::system_clock::time_point started,
                   std::chrono::steady_clock::duration duration) noexcept = 0;
};

}  // namespace basalt::http
