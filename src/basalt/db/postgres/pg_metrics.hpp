// The PostgreSQL driver's share of the metrics (docs/observability.md): statement time by kind
// and write jobs run again after a serialization failure. Counted on the worker the statement's
// coroutine runs on, in that thread's own block (metrics/thread_block.hpp).
#pragma once

#include <chrono>
#include <cstdint>

#include "basalt/metrics/thread_block.hpp"

namespace basalt::db::postgres_metrics {

inline void record_statement(metrics::StatementKind kind,
                             std::chrono::steady_clock::time_point started) noexcept {
  if (!metrics::enabled()) return;
  const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(
                           std::chrono::steady_clock::now() - started)
                           .count();
  metrics::local().statements[metrics::index(kind)].observe(static_cast<std::uint64_t>(elapsed),
                                                            metrics::kLatencyBoundsNs);
}

inline void count_rerun() noexcept {
  if (metrics::enabled()) metrics::local().transaction_retries.add();
}

}  // namespace basalt::db::postgres_metrics
