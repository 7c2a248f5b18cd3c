#include "basalt/trace/http_tracer.hpp"

#include <cmath>
#include <limits>

#include "basalt/http/request.hpp"

namespace basalt::trace {

HttpTracer::HttpTracer(const TraceOptions& options, SpanExporter& exporter)
    : threshold_(options.ratio <= 0.0 ? 0
                 : options.ratio >= 1.0
                     ? std::numeric_limits<std::uint64_t>::max()
                     : static_cast<std::uint64_t>(std::ldexp(options.ratio, 64))),
      sample_all_(options.ratio >= 1.0),
      parent_based_(options.parent_based),
      exporter_(exporter) {}

bool HttpTracer::sample_root(const core::TraceId& trace_id) const noexcept {
  if (sample_all_) return true;
  std::uint64_t low = 0;
  for (std::size_t i = 8; i < 16; ++i) low = (low << 8) | trace_id[i];
  return low < threshold_;
}

http::RequestTrace HttpTracer::begin(const http::Request& request, core::SpanCell& cell) noexcept {
  http::RequestTrace trace;
  std::optional<core::TraceParent> parent;
  if (auto header = request.header("traceparent")) parent = core::parse_traceparent(*header);
  trace.id = parent ? parent->trace_id : core::random_trace_id();
  core::to_hex(trace.id, trace.trace_id);
  trace.present = true;
  trace.has_parent = parent.has_value();
  if (parent) trace.parent_id = parent->parent_id;
  trace.sampled = parent && parent_based_ ? parent->sampled() : sample_root(trace.id);
  trace.span_id = core::random_span_id();
  cell.current = core::ActiveSpan{trace.id, trace.span_id, trace.sampled ? &exporter_ : nullptr};
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
