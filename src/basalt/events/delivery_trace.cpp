#include "basalt/events/delivery_trace.hpp"

#include <memory>
#include <optional>
#include <string>

#include "basalt/core/span_scope.hpp"

namespace basalt::events {

std::string_view delivery_outcome(const DeliveryResult& result, const DeliveryAttempt& attempt) {
  const bool delivered = result.outcome == DeliveryResult::Outcome::kDelivered;
  if (attempt.redelivery) return delivered ? "delivered" : "failed";
  switch (result.outcome) {
    case DeliveryResult::Outcome::kDelivered:
      return "delivered";
    case DeliveryResult::Outcome::kReject:
      return "rejected";
    case DeliveryResult::Outcome::kRetry:
      break;
  }
  return attempt.attempt >= attempt.spec.max_attempts ? "dead" : "retry";
}

namespace {

// One attempt's trace: its cell (what the destination reads while it builds the message) and
// its span (sampled) or ids alone (unsampled).
struct AttemptTrace {
  core::SpanCell cell;
  core::SpanScope span;
};

// Fills `trace` for `event`: the stored context continues (an invalid or missing one starts a
// new trace, as an invalid incoming header does), sampled as the request tracer would sample
// it. The span opens now; `trace.cell` must be installed by the caller while the message is
// built (start_under needs it only as the cell its children would find).
void begin_attempt(AttemptTrace& trace, const OutboxEvent& event, const DeliveryAttempt& attempt,
                   const core::Tracing& tracing) {
  const std::optional<core::TraceParent> parent = core::parse_traceparent(event.trace_parent);
  const core::TraceId trace_id = parent ? parent->trace_id : core::random_trace_id();
  const bool sampled = tracing.sampler.sample(parent, trace_id);
  const std::string_view trace_state =
      parent ? core::checked_tracestate(event.trace_state) : std::string_view();
  trace.cell.trace_state = trace_state;
  if (!sampled) {
    // Not sampled: nothing is recorded, but the receiver still learns the trace (flag clear),
    // under a span id of this attempt's own.
    trace.cell.current = core::ActiveSpan{trace_id, core::random_span_id(), nullptr};
    return;
  }
  const bool webhook = attempt.spec.type == "webhook";
  // The parent: the write's span, or none (all-zero) for a new root.
  const core::ActiveSpan under{trace_id, parent ? parent->parent_id : core::SpanId{},
                               tracing.recorder};
  const std::string name = webhook ? "webhook.deliver" : attempt.spec.type + ".publish";
  core::SpanScope& span = trace.span;
  if (!span.start_under(under, trace.cell, name,
                        webhook ? core::SpanKind::kClient : core::SpanKind::kProducer,
                        std::chrono::system_clock::time_point{})) {
    return;
  }
  if (!trace_state.empty()) span.set_trace_state(trace_state);
  span.set("basalt.destination.id", attempt.spec.id);
  span.set("basalt.destination.type", attempt.spec.type);
  span.set("basalt.event.id", event.event_id);
  span.set("basalt.event.sequence", event.sequence);
  span.set("basalt.event.action", event.action);
  span.set("basalt.collection", event.collection_name);
  span.set("basalt.delivery.attempt", std::int64_t{attempt.attempt});
  if (!webhook) {
    span.set("messaging.system", attempt.spec.type);
    span.set("messaging.operation.type", "publish");
    span.set("messaging.message.id", event.event_id);
  }
}

// Ends the attempt's span with its outcome; `result` null: the message was built but no answer
// came back for it (a pipeline cut short), so it is sent again.
void end_attempt(AttemptTrace& trace, const DeliveryResult* result,
                 const DeliveryAttempt& attempt) {
  core::SpanScope& span = trace.span;
  if (!span.active()) return;
  if (result == nullptr) {
    span.set("basalt.delivery.outcome", "unanswered");
    span.set_error();
    span.finish();
    return;
  }
  span.set("basalt.delivery.outcome", delivery_outcome(*result, attempt));
  if (attempt.spec.type == "webhook" && result->status != 0) {
    span.set("http.response.status_code", std::int64_t{result->status});
  }
  if (result->outcome != DeliveryResult::Outcome::kDelivered) span.set_error();
  span.finish();
}

}  // namespace

DeliveryResult deliver_traced(Destination& destination, const OutboxEvent& event,
                              const DeliveryAttempt& attempt, const core::Tracing& tracing) {
  if (!tracing.enabled()) return destination.deliver(event);
  AttemptTrace trace;
  core::CellInstall install(&trace.cell);
  begin_attempt(trace, event, attempt, tracing);
  DeliveryResult result = destination.deliver(event);
  end_attempt(trace, &result, attempt);
  return result;
}

std::vector<DeliveryResult> deliver_many_traced(Destination& destination,
                                                std::span<const OutboxEvent* const> events,
                                                const DestinationSpec& spec, int first_attempt,
                                                const core::Tracing& tracing) {
  if (!tracing.enabled()) return destination.deliver_many(events, {});
  // Each event's trace opens when its message is about to be built, and its cell stays
  // installed until the next one's (or the end): what the destination reads while it builds
  // that message is that event's context. Kept by pointer: a cell's address must not move.
  std::vector<std::unique_ptr<AttemptTrace>> traces;
  traces.reserve(events.size());
  std::optional<core::CellInstall> install;
  auto attempt_of = [&](std::size_t index) {
    return DeliveryAttempt{spec, index == 0 ? first_attempt : 1, false};
  };
  // Opens the trace of `index` once: a message built again (a connector's second try on a
  // fresh connection) goes under the span and context the first build had.
  auto trace_of = [&](std::size_t index) -> AttemptTrace& {
    while (traces.size() <= index) traces.push_back(nullptr);
    if (!traces[index]) {
      traces[index] = std::make_unique<AttemptTrace>();
      begin_attempt(*traces[index], *events[index], attempt_of(index), tracing);
    }
    return *traces[index];
  };
  const BeforeSend before_send = [&](std::size_t index) {
    install.reset();
    install.emplace(&trace_of(index).cell);
  };
  std::vector<DeliveryResult> results = destination.deliver_many(events, before_send);
  install.reset();
  // An event with a result but no message built (a connect that failed first, a name the
  // broker cannot take) gets its span too, as deliver_traced gives every attempt one.
  for (std::size_t i = 0; i < results.size(); ++i) trace_of(i);
  for (std::size_t i = 0; i < traces.size(); ++i) {
    if (traces[i])
      end_attempt(*traces[i], i < results.size() ? &results[i] : nullptr, attempt_of(i));
  }
  return results;
}

}  // namespace basalt::events
