// Delivery spans (docs/observability.md, "Deliveries"): one span per delivery attempt of an
// outbox event, a child of the context the write stored with the event, so a write request
// and the deliveries of its events are one trace; a new root (sampled by the ratio) when the
// event was written outside any trace.
//
// deliver_traced() wraps Destination::deliver(): while the destination runs, a span cell of
// the attempt is installed on the calling thread, holding the attempt's span (sampled) or its
// ids alone (unsampled: nothing recorded, the trace id still sent on), so a destination that
// can carry headers sends core::outgoing_trace_context() — `traceparent` naming the attempt's
// span and the stored `tracestate`. The cell is gone when it returns: the dispatcher's own
// database work is never part of a delivery's trace.
//
// Span: name `webhook.deliver` (kind CLIENT) or `<type>.publish` (PRODUCER) for brokers;
// attributes basalt.destination.id / .type, basalt.event.id / .sequence / .action,
// basalt.collection, basalt.delivery.attempt and .outcome (delivered, retry, rejected, dead;
// a redelivery: delivered, failed), http.response.status_code (a webhook's answer),
// messaging.system and messaging.message.id (brokers); status ERROR unless delivered.
//
// With tracing off (no recorder) it is deliver() (deliver_many()) and nothing else: no cell,
// no header.
// Thread ownership: the dispatcher thread that calls it.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "basalt/core/trace_sampler.hpp"
#include "basalt/events/destination.hpp"
#include "basalt/events/destination_spec.hpp"

namespace basalt::events {

struct DeliveryAttempt {
  const DestinationSpec& spec;
  int attempt = 1;          // 1 for the first try of the event at the cursor
  bool redelivery = false;  // asked for by hand: its outcome is delivered or failed
};

// The log status of an attempt's result (the delivery log's `status` and the span's
// basalt.delivery.outcome).
std::string_view delivery_outcome(const DeliveryResult& result, const DeliveryAttempt& attempt);

DeliveryResult deliver_traced(Destination& destination, const OutboxEvent& event,
                              const DeliveryAttempt& attempt, const core::Tracing& tracing);

// Destination::deliver_many() with a span per event, each current while its message is built
// (BeforeSend) and ended with that event's result; an event whose message was built but which
// got no result ends as `unanswered`. The first event is attempt `first_attempt`, the others
// their first.
std::vector<DeliveryResult> deliver_many_traced(Destination& destination,
                                                std::span<const OutboxEvent* const> events,
                                                const DestinationSpec& spec, int first_attempt,
                                                const core::Tracing& tracing);

}  // namespace basalt::events
