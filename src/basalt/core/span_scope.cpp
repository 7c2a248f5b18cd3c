#include "basalt/core/span_scope.hpp"

#include <utility>

namespace basalt::core {

namespace detail {
thread_local constinit SpanCell* tls_cell = nullptr;
}  // namespace detail

struct SpanScope::State {
  Span span;
  SpanRecorder* recorder = nullptr;
  SpanCell* cell = nullptr;
  ActiveSpan previous;  // the cell's span before this one opened
};

SpanScope::~SpanScope() {
  finish();
}

bool SpanScope::open(SpanCell& cell, std::string_view name, SpanKind kind,
                     std::chrono::system_clock::time_point started) noexcept {
  return start_under(cell.current, cell, name, kind, started);
}

bool SpanScope::start_under(const ActiveSpan& parent, SpanCell& cell, std::string_view name,
                            SpanKind kind, std::chrono::system_clock::time_point started) noexcept {
  if (!parent.sampled() || state_) return false;
  try {
    auto state = std::make_unique<State>();
    state->span.trace_id = parent.trace_id;
    state->span.span_id = random_span_id();
    state->span.parent_span_id = parent.span_id;
    state->span.name = std::string(name);
    state->span.kind = kind;
    state->span.start = started == std::chrono::system_clock::time_point{}
                            ? std::chrono::system_clock::now()
                            : started;
    state->recorder = parent.recorder;
    state->cell = &cell;
    state->previous = cell.current;
    cell.current = ActiveSpan{parent.trace_id, state->span.span_id, parent.recorder};
    state_ = state.release();
    return true;
  } catch (...) {
    return false;  // out of memory: the span is lost, the work is not
  }
}

void SpanScope::set(std::string_view key, std::string_view value) noexcept {
  if (!state_) return;
  try {
    state_->span.attributes.push_back({std::string(key), std::string(value)});
  } catch (...) {
  }
}

void SpanScope::set(std::string_view key, std::int64_t value) noexcept {
  if (!state_) return;
  try {
    state_->span.attributes.push_back({std::string(key), value});
  } catch (...) {
  }
}

void SpanScope::set_error() noexcept {
  if (state_) state_->span.error = true;
}

void SpanScope::set_trace_state(std::string_view trace_state) noexcept {
  if (!state_) return;
  try {
    state_->span.trace_state = std::string(trace_state);
  } catch (...) {
  }
}

void SpanScope::finish() noexcept {
  if (!state_) return;
  std::unique_ptr<State> state(state_);
  state_ = nullptr;
  state->span.end = std::chrono::system_clock::now();
  // Invariant 2: restore the parent only when this span is still the cell's current one; a
  // scope that ended out of order must not bring back a span that already ended.
  if (state->cell->current.span_id == state->span.span_id) state->cell->current = state->previous;
  state->recorder->record(std::move(state->span));
}

std::vector<std::string> outgoing_trace_headers(const ActiveSpan& span) {
  std::vector<std::string> headers;
  if (!span.valid()) return headers;
  const auto value =
      format_traceparent(span.trace_id, span.span_id, span.sampled() ? kTraceFlagSampled : 0);
  std::string line = "traceparent: ";
  line.append(value.data(), value.size());
  headers.push_back(std::move(line));
  return headers;
}

TraceContextValues outgoing_trace_context() {
  TraceContextValues values;
  const SpanCell* cell = detail::tls_cell;
  if (cell == nullptr || !cell->current.valid()) return values;
  const ActiveSpan& span = cell->current;
  const auto value =
      format_traceparent(span.trace_id, span.span_id, span.sampled() ? kTraceFlagSampled : 0);
  values.traceparent.assign(value.data(), value.size());
  values.tracestate = std::string(cell->trace_state);
  return values;
}

}  // namespace basalt::core
