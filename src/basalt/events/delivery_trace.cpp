#include "basalt/events/delivery_trace.hpp"

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

DeliveryResult deliver_traced(Destination& destination, const OutboxEvent& event,
                              const DeliveryAttempt& attempt, const core::Tracing& tracing) {
  if (!tracing.enabled()) return destination.deliver(event);

  // The stored context continues (an invalid or missing one starts a new trace, as an
  // invalid incoming header does), sampled as the request tracer would sample it.
  const std::optional<core::TraceParent> parent = core::parse_traceparent(event.trace_parent);
  const core::TraceId trace_id = parent ? parent->trace_id : core::random_trace_id();
  const bool sampled = tracing.sampler.sample(parent, trace_id);
  const std::string_view trace_state =
      parent ? core::checked_tracestate(event.trace_state) : std::string_view();

  core::SpanCell cell;
  cell.trace_state = trace_state;
  core::CellInstall install(&cell);
  core::SpanScope span;
  const bool webhook = attempt.spec.type == "webhook";
  if (sampled) {
    // The parent: the write's span, or none (all-zero) for a new root.
    const core::ActiveSpan under{trace_id, parent ? parent->parent_id : core::SpanId{},
                                 tracing.recorder};
    const std::string name = webhook ? "webhook.deliver" : attempt.spec.type + ".publish";
    if (span.start_under(under, cell, name,
                         webhook ? core::SpanKind::kClient : core::SpanKind::kProducer,
                         std::chrono::system_clock::time_point{})) {
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
  } else {
    // Not sampled: nothing is recorded, but the receiver still learns the trace (flag clear),
    // under a span id of this attempt's own.
    cell.current = core::ActiveSpan{trace_id, core::random_span_id(), nullptr};
  }

  DeliveryResult result = destination.deliver(event);
  if (span.active()) {
    span.set("basalt.delivery.outcome", delivery_outcome(result, attempt));
    if (webhook && result.status != 0) {
      span.set("http.response.status_code", std::int64_t{result.status});
    }
    if (result.outcome != DeliveryResult::Outcome::kDelivered) span.set_error();
    span.finish();
  }
  return result;
}

}  // namespace basalt::events
