// Gauges of queues that several threads share. Their owners already change them under their
// own mutex (the writer's queue, the blocking pool's queue), so one relaxed store there costs
// nothing more; the scrape reads them with a relaxed load. Never on a lock-free request path.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace basalt::metrics {

struct SharedGauges {
  std::atomic<std::int64_t> writer_queue_jobs{0};  // write jobs waiting for the writer
  // Tasks waiting for a thread, by metrics::Pool (thread_block.hpp), changed under each
  // pool's own mutex.
  std::array<std::atomic<std::int64_t>, 5> pool_queue_tasks{};
  // The outbox (docs/events.md), set by the dispatcher's thread after each pass.
  std::atomic<std::int64_t> outbox_backlog{0};      // events not yet done by an owned destination
  std::atomic<std::int64_t> outbox_lag_seconds{0};  // age of the oldest of them
  // Delivery attempts by outcome: delivered, retry, rejected, dead (monotonic).
  std::atomic<std::int64_t> outbox_deliveries[4] = {};
};

SharedGauges& shared_gauges() noexcept;

}  // namespace basalt::metrics
