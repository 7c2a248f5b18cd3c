// Span: one finished span as the exporter sends it (OTLP's Span, the fields Basalt fills), and
// SpanRecorder, where finished spans go (trace::SpanExporter in production). Defined in core so
// that every module may record child spans (core/span_scope.hpp) without knowing the exporter.
// Made only for sampled work, so its strings cost nothing when a request is not sampled.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "basalt/core/trace_context.hpp"

namespace basalt::core {

// OTLP's Span.SpanKind.
enum class SpanKind : int { kInternal = 1, kServer = 2, kClient = 3, kProducer = 4 };

struct SpanAttribute {
  std::string key;
  std::variant<std::string, std::int64_t> value;
};

struct Span {
  TraceId trace_id{};
  SpanId span_id{};
  SpanId parent_span_id{};  // all zero: a root span
  std::string trace_state;  // the incoming tracestate, kept with the trace
  std::string name;
  SpanKind kind = SpanKind::kInternal;
  std::chrono::system_clock::time_point start;
  std::chrono::system_clock::time_point end;
  std::vector<SpanAttribute> attributes;
  bool error = false;  // OTLP status code ERROR; otherwise UNSET
};

// Receives finished spans. record() is called from any thread, must not block or throw.
class SpanRecorder {
 public:
  virtual ~SpanRecorder() = default;
  virtual void record(Span span) noexcept = 0;
};

}  // namespace basalt::core
