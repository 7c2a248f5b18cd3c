// Destination: where the outbox dispatcher hands committed record events (docs/events.md).
// A webhook endpoint and each message-broker connector implement it; the dispatcher owns
// ordering, retries with backoff, dead-lettering and the delivery log, so an implementation
// only delivers events and says how each went.
//
// Invariants:
//   1. deliver() blocks the calling dispatcher thread and returns within the destination's own
//      bounded timeouts (connect + total); it never throws.
//   2. kDelivered means the receiver acknowledged the event (a 2xx response, a publisher
//      confirm, a JetStream ack, an XADD id); only then does the outbox mark it delivered.
//   3. `detail` is for the delivery log: at most 1 KiB, never a secret (no signing key, no
//      password, no Authorization header).
//   4. deliver_many() sends in the order given and returns results for a prefix of the events,
//      in order, at least one. An event without a result was not delivered as far as the
//      outbox knows (it may have reached the receiver: it is sent again, at least once).
// Thread ownership: one Destination object is used by one dispatcher thread at a time; it may
// keep a connection open between calls and must reconnect by itself after a failure.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace basalt::events {

// One committed record change as the outbox stored it, in the same transaction as the change.
struct OutboxEvent {
  std::int64_t sequence = 0;  // increases with commit order (per database)
  std::string event_id;       // idempotency key: the same on every retry and redelivery
  std::string action;         // "create", "update" or "delete"
  std::string collection_id;
  std::string collection_name;
  std::string record_json;   // the record as a JSON object, without password and tokenKey
  std::string committed_at;  // "2026-12-06 23:40:00.123Z" (PocketBase's date format)
  // The W3C context of the write that committed it ('' when untraced). Not what a destination
  // sends: during deliver() the attempt's own span is current, and a destination that can
  // carry headers sends core::outgoing_trace_context() (docs/observability.md, "Deliveries").
  std::string trace_parent;
  std::string trace_state;
};

struct DeliveryResult {
  enum class Outcome : std::uint8_t {
    kDelivered,  // acknowledged by the receiver
    kRetry,      // may succeed later: timeouts, refused connections, 5xx, 429, broker down
    kReject,     // will not succeed as configured (e.g. 4xx other than 408/429): dead-letter
  };
  Outcome outcome = Outcome::kRetry;
  int status = 0;  // HTTP status for webhooks; 0 where the transport has none
  std::chrono::milliseconds duration{0};
  std::string detail;  // response excerpt or error text, <= 1 KiB, no secrets
};

// Called with an event's index just before deliver_many() builds its message, on the calling
// thread: the delivery span of that event is made current there (delivery_trace.hpp), so the
// message carries its own trace context. May be empty.
using BeforeSend = std::function<void(std::size_t index)>;

class Destination {
 public:
  virtual ~Destination() = default;
  virtual DeliveryResult deliver(const OutboxEvent& event) = 0;

  // How many events one deliver_many() call may take: the messages a transport sends before it
  // awaits their acknowledgements (a broker's publisher confirms, pipelined commands). 1 (the
  // default): every event waits for the previous one's answer.
  virtual std::size_t max_in_flight() const noexcept { return 1; }

  // Delivers `events` in order (invariant 4). The default is deliver() one by one, stopping
  // after the first event that is not delivered; a pipelining transport sends every message,
  // then reads the acknowledgements, and may go on past a refused one (a broker's answer to
  // one message says nothing of the next), stopping only where the connection failed.
  // (Inline: the broker connectors implement this interface without linking the events
  // module.)
  virtual std::vector<DeliveryResult> deliver_many(std::span<const OutboxEvent* const> events,
                                                   const BeforeSend& before_send) {
    std::vector<DeliveryResult> results;
    results.reserve(events.size());
    for (std::size_t i = 0; i < events.size(); ++i) {
      if (before_send) before_send(i);
      results.push_back(deliver(*events[i]));
      // An endpoint that failed one event is not asked for the next (it would wait out the
      // same timeouts again): the dispatcher decides what follows.
      if (results.back().outcome != DeliveryResult::Outcome::kDelivered) break;
    }
    return results;
  }
};

}  // namespace basalt::events
