// TraceSampler: OpenTelemetry's parent-based trace-id-ratio sampler (docs/observability.md,
// "Trace context and sampling"), shared by the request tracer (trace::HttpTracer) and work
// that starts its own traces outside any request (the outbox's deliveries).
//
// A valid parent (an incoming or stored `traceparent`) decides by its sampled flag when the
// sampler is parent-based; a new trace is sampled when the low 64 bits of its id fall under
// ratio * 2^64, so services configured with the same ratio keep or drop the same traces.
//
// Tracing: what such work needs to trace itself — where spans go and the sampler. A default
// Tracing is off (no recorder): nothing is made, nothing is propagated.
// Thread safety: immutable after construction; any thread.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

#include "basalt/core/span.hpp"
#include "basalt/core/trace_context.hpp"

namespace basalt::core {

class TraceSampler {
 public:
  TraceSampler() noexcept : TraceSampler(1.0, true) {}
  explicit TraceSampler(double ratio, bool parent_based = true) noexcept
      : threshold_(ratio <= 0.0   ? 0
                   : ratio >= 1.0 ? std::numeric_limits<std::uint64_t>::max()
                                  : static_cast<std::uint64_t>(std::ldexp(ratio, 64))),
        sample_all_(ratio >= 1.0),
        parent_based_(parent_based) {}

  // The decision for a new root trace.
  bool sample_root(const TraceId& trace_id) const noexcept {
    if (sample_all_) return true;
    std::uint64_t low = 0;
    for (std::size_t i = 8; i < 16; ++i) low = (low << 8) | trace_id[i];
    return low < threshold_;
  }
  // The decision for trace `trace_id`, continuing `parent` when there is one.
  bool sample(const std::optional<TraceParent>& parent, const TraceId& trace_id) const noexcept {
    return parent && parent_based_ ? parent->sampled() : sample_root(trace_id);
  }
  bool parent_based() const noexcept { return parent_based_; }

 private:
  std::uint64_t threshold_;  // roots whose low 64 bits are below it are sampled
  bool sample_all_;          // ratio 1: every root
  bool parent_based_;
};

struct Tracing {
  SpanRecorder* recorder = nullptr;  // null: tracing off; else outlives every user
  TraceSampler sampler;
  bool enabled() const noexcept { return recorder != nullptr; }
};

}  // namespace basalt::core
