// Span: one finished span as the exporter sends it (OTLP's Span, the fields Basalt fills).
// Made only for sampled work, so its strings cost nothing when a request is not sampled.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "basalt/core/trace_context.hpp"

namespace basalt::trace {

// OTLP's Span.SpanKind.
enum class SpanKind : int { kInternal = 1, kServer = 2, kClient = 3 };

struct SpanAttribute {
  std::string key;
  std::variant<std::string, std::int64_t> value;
};

struct Span {
  core::TraceId trace_id{};
  core::SpanId span_id{};
  core::SpanId parent_span_id{};  // all zero: a root span
  std::string trace_state;        // the incoming tracestate, kept with the trace
  std::string name;
  SpanKind kind = SpanKind::kInternal;
  std::chrono::system_clock::time_point start;
  std::chrono::system_clock::time_point end;
  std::vector<SpanAttribute> attributes;
  bool error = false;  // OTLP status code ERROR (a 5xx answer); otherwise UNSET
};

}  // namespace basalt::trace
