// HttpTracer: the server span of each request (docs/observability.md, "Traces"), as the
// http::RequestTracer the connection calls after the answer.
//
// Sampling (OpenTelemetry's parent-based trace-id-ratio sampler): a valid incoming
// `traceparent` continues its trace — the span's parent is the caller's span, and with
// TraceOptions::parent_based its sampled flag decides; without one (or an invalid one, which
// is ignored) a new trace starts and is sampled when the low 64 bits of its id fall under
// ratio * 2^64, so every service with the same ratio agrees on the same trace.
//
// Cost: with tracing off no tracer is installed (the connection checks a null pointer). An
// unsampled request costs the header parse and two random ids (the trace's without an
// incoming one, and the request's span id, which its outgoing requests name as their parent);
// it allocates nothing, and its child spans are inert. Only a sampled request builds Spans
// and hands them to the exporter.
// Thread safety: begin() and end() from every worker at once; they read only immutable state.
#pragma once

#include "basalt/core/trace_sampler.hpp"
#include "basalt/http/request_tracer.hpp"
#include "basalt/trace/span_exporter.hpp"
#include "basalt/trace/trace_options.hpp"

namespace basalt::trace {

class HttpTracer final : public http::RequestTracer {
 public:
  // `exporter` must outlive the tracer.
  HttpTracer(const TraceOptions& options, SpanExporter& exporter);

  http::RequestTrace begin(const http::Request& request, core::SpanCell& cell) noexcept override;
  void end(const http::Request& request, const http::RequestTrace& trace, int status,
           std::chrono::system_clock::time_point started,
           std::chrono::steady_clock::duration duration) noexcept override;

  // The sampling decision for a new root trace (tests).
  bool sample_root(const core::TraceId& trace_id) const noexcept {
    return sampler_.sample_root(trace_id);
  }
  // The same exporter and sampler, for work that starts traces outside requests (the outbox's
  // deliveries).
  core::Tracing tracing() const noexcept { return {&exporter_, sampler_}; }

 private:
  core::TraceSampler sampler_;
  SpanExporter& exporter_;
};

}  // namespace basalt::trace
