#include "basalt/trace/http_tracer.hpp"

#include "basalt/http/request.hpp"

namespace basalt::trace {

HttpTracer::HttpTracer(const TraceOptions& options, SpanExporter& exporter)
    : sampler_(options.ratio, options.parent_based), exporter_(exporter) {}

http::RequestTrace HttpTracer::begin(const http::Request& request, core::SpanCell& cell) noexcept {
  http::RequestTrace trace;
  std::optional<core::TraceParent> parent;
  if (auto header = request.header("traceparent")) parent = core::parse_traceparent(*header);
  trace.id = parent ? parent->trace_id : core::random_trace_id();
  core::to_hex(trace.id, trace.trace_id);
  trace.present = true;
  trace.has_parent = parent.has_value();
  if (parent) trace.parent_id = parent->parent_id;
  trace.sampled = sampler_.sample(parent, trace.id);
  trace.span_id = core::random_span_id();
  cell.current = core::ActiveSpan{trace.id, trace.span_id, trace.sampled ? &exporter_ : nullptr};
  // The caller's tracestate goes with its trace: the outbox stores it with the events this
  // request writes. A view of the header, reset by the connection after the answer.
  if (parent) {
    if (auto state = request.header("tracestate")) {
      cell.trace_state = core::checked_tracestate(*state);
    }
  }
  return trace;
}

void HttpTracer::end(const http::Request& request, const http::RequestTrace& trace, int status,
                     std::chrono::system_clock::time_point started,
                     std::chrono::steady_clock::duration duration) noexcept {
  if (!trace.sampled) return;
  try {
    Span span;
    span.trace_id = trace.id;
    span.span_id = trace.span_id;
    if (trace.has_parent) {
      span.parent_span_id = trace.parent_id;
      if (auto state = request.header("tracestate")) {
        span.trace_state = std::string(core::checked_tracestate(*state));
      }
    }
    span.kind = SpanKind::kServer;
    span.name = std::string(request.method_text());
    span.start = started;
    span.end = started + std::chrono::duration_cast<std::chrono::system_clock::duration>(duration);
    span.attributes.push_back({"http.request.method", std::string(request.method_text())});
    span.attributes.push_back({"url.path", std::string(request.path())});
    span.attributes.push_back({"http.response.status_code", std::int64_t{status}});
    span.attributes.push_back({"http.request.id", request.request_id()});
    if (auto agent = request.header("User-Agent")) {
      span.attributes.push_back({"user_agent.original", std::string(agent->substr(0, 512))});
    }
    span.error = status >= 500;
    exporter_.submit(std::move(span));
  } catch (...) {
    // Out of memory while building the span: the span is lost, the request is not.
  }
}

}  // namespace basalt::trace
