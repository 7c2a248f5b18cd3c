// GraphQL subscriptions' share of the metrics (docs/observability.md): open streams and the
// `next` events sent or lost, counted in the worker's own metrics block (the sessions and
// their sinks run on the worker that accepted the socket).
#pragma once

#include <cstdint>

#include "basalt/metrics/thread_block.hpp"

namespace basalt::api {

// Counts one open GraphQL subscription stream (WebSocket or graphql-sse) while it lives.
class SubscriptionClientCount {
 public:
  SubscriptionClientCount() noexcept { change(+1); }
  ~SubscriptionClientCount() { change(-1); }
  SubscriptionClientCount(const SubscriptionClientCount&) = delete;
  SubscriptionClientCount& operator=(const SubscriptionClientCount&) = delete;

 private:
  static void change(std::int64_t by) noexcept {
    if (!metrics::enabled()) return;
    metrics::local().stream_clients[metrics::index(metrics::Stream::kGraphqlSubscription)].add(by);
  }
};

// A `next` event queued for the client (`delivered`), or lost with a client dropped for not
// reading (its queue past the realtime send buffer) or already ending.
inline void count_subscription_event(bool delivered) noexcept {
  if (!metrics::enabled()) return;
  metrics::ThreadBlock& block = metrics::local();
  auto& cells = delivered ? block.events_delivered : block.events_dropped;
  cells[metrics::index(metrics::Stream::kGraphqlSubscription)].add();
}

}  // namespace basalt::api
