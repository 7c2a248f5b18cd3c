// The current span and child spans (docs/observability.md, "Child spans").
//
// A SpanCell holds the span that new child spans hang under: the sampled request span, then
// whichever child is open. There is one cell per chain of work that runs one thing at a time —
// one per HTTP connection (its requests run one after another), one on the writer thread for
// the job it runs — never one per thread: a worker thread interleaves the coroutines of many
// connections, so "the current span" of a thread would be the last request to resume there.
//
// Invariants:
//  1. detail::tls_cell (the calling thread's installed cell) is non-null only inside a
//     CellInstall, which restores the previous value when it ends. The HTTP connection runs
//     its coroutine on an executor that installs the connection's cell around every handler it
//     runs (http/span_cell_executor.hpp), so across a co_await the request's code always finds
//     its own connection's cell, whichever coroutine ran on the thread in between.
//  2. A cell holds its ActiveSpan by value (ids and the recorder, no pointer to a SpanScope),
//     so a scope that ends out of order leaves at worst a wrong parent, never a dangling
//     pointer. The recorder outlives every cell (the app stops the workers before it).
//  3. Not sampled (no cell, or a cell without an active span): SpanScope::start() is a
//     thread_local load and a branch; nothing is allocated, no clock is read.
// Thread safety: a cell is used by one thread at a time (the one that installed it).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/core/span.hpp"

namespace basalt::core {

// The span work is done for, as its children and outgoing requests need it. A request that is
// traced but not sampled has one too (ids, no recorder): its outgoing requests carry its trace
// id with the sampled flag clear, so the next service drops the same trace.
struct ActiveSpan {
  TraceId trace_id{};
  SpanId span_id{};
  SpanRecorder* recorder = nullptr;  // null: not sampled, no child span is made
  bool sampled() const noexcept { return recorder != nullptr; }
  bool valid() const noexcept { return trace_id != TraceId{}; }
};

struct SpanCell {
  ActiveSpan current;
  // The W3C `tracestate` of the trace the cell's work continues (an incoming request's, a
  // stored outbox row's), empty when none. A view: whoever sets it keeps the text alive until
  // it resets it (the connection: the request's header, reset after the answer; the SQLite
  // writer: its copy in the queued job). Read by the outbox, which stores it with the row.
  std::string_view trace_state;
};

namespace detail {
extern thread_local constinit SpanCell* tls_cell;
}  // namespace detail

// The calling thread's installed cell's active span, or an inactive one.
inline ActiveSpan current_span() noexcept {
  const SpanCell* cell = detail::tls_cell;
  return cell ? cell->current : ActiveSpan{};
}

// The calling thread's installed cell's `tracestate`, or empty.
inline std::string_view current_trace_state() noexcept {
  const SpanCell* cell = detail::tls_cell;
  return cell ? cell->trace_state : std::string_view();
}

// Installs `cell` as the calling thread's cell for the scope's lifetime (invariant 1).
class CellInstall {
 public:
  explicit CellInstall(SpanCell* cell) noexcept : previous_(detail::tls_cell) {
    detail::tls_cell = cell;
  }
  ~CellInstall() { detail::tls_cell = previous_; }
  CellInstall(const CellInstall&) = delete;
  CellInstall& operator=(const CellInstall&) = delete;

 private:
  SpanCell* previous_;
};

// A child span of the current span, open from start() to the scope's end (or finish()). While
// open it is the cell's current span, so spans started inside it are its children. It may be
// held across co_await inside the same connection's coroutine (the cell goes along with it).
//
//   core::SpanScope span;
//   if (span.start("rule.compile")) span.set("basalt.rule.kind", "filter");
class SpanScope {
 public:
  SpanScope() noexcept = default;
  ~SpanScope();
  SpanScope(const SpanScope&) = delete;
  SpanScope& operator=(const SpanScope&) = delete;

  // Opens the span when the calling thread's cell has a sampled span; false otherwise (the
  // scope then stays inert and every other call is a no-op). `started`: an earlier start (the
  // time a job was queued), default now. Allocates only when it returns true.
  bool start(std::string_view name, SpanKind kind = SpanKind::kInternal) noexcept {
    return start(name, kind, std::chrono::system_clock::time_point{});
  }
  bool start(std::string_view name, SpanKind kind,
             std::chrono::system_clock::time_point started) noexcept {
    SpanCell* cell = detail::tls_cell;
    if (cell == nullptr || !cell->current.sampled() || state_) return false;
    return open(*cell, name, kind, started);
  }
  // The same under an explicit parent (a job handed to another thread), with `cell` as the
  // cell its own children find (installed by the caller).
  bool start_under(const ActiveSpan& parent, SpanCell& cell, std::string_view name, SpanKind kind,
                   std::chrono::system_clock::time_point started) noexcept;

  bool active() const noexcept { return state_ != nullptr; }
  void set(std::string_view key, std::string_view value) noexcept;
  void set(std::string_view key, std::int64_t value) noexcept;
  void set_error() noexcept;
  // The W3C `tracestate` exported with the span (a continued trace's).
  void set_trace_state(std::string_view trace_state) noexcept;
  // Ends the span now and hands it to the recorder (also done by the destructor).
  void finish() noexcept;

 private:
  struct State;
  bool open(SpanCell& cell, std::string_view name, SpanKind kind,
            std::chrono::system_clock::time_point started) noexcept;
  // Owned; null while inert. A plain pointer keeps the constructor trivial and inline.
  State* state_ = nullptr;
};

// The headers to send on an outgoing request made for `span` (S3, OAuth2, webhooks): W3C
// `traceparent` naming `span` as the caller's span, its sampled flag as decided; none when
// `span` is not valid (tracing off, or work no request started). Each as "name: value", the
// form libcurl's header lists take. Allocates only when there is a header to send.
std::vector<std::string> outgoing_trace_headers(const ActiveSpan& span);
// The same for the calling thread's current span (current_span()).
inline std::vector<std::string> outgoing_trace_headers() {
  return outgoing_trace_headers(current_span());
}

// The W3C context of the calling thread's current span as plain values, for transports whose
// headers are not lines (message properties, stream fields, webhook headers): `traceparent`
// ("00-<trace>-<span>-<flags>", empty when the current span is not valid) and the cell's
// `tracestate` (empty when none, or without a traceparent).
struct TraceContextValues {
  std::string traceparent;
  std::string tracestate;
};
TraceContextValues outgoing_trace_context();

}  // namespace basalt::core
