// The outbox's upkeep, run by the dispatcher's thread between passes (docs/events.md,
// "Retention" and "Metrics"): pruning what every destination has delivered once the retention
// has passed, and the backlog and lag gauges of the destinations this instance owns.
#include <chrono>
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

#include "basalt/events/dispatcher.hpp"
#include "basalt/events/outbox_tables.hpp"
#include "basalt/metrics/shared_gauges.hpp"
#include "basalt/schema/datetime.hpp"

namespace basalt::events {
namespace {

// Seconds from `committed` ("2026-12-06 23:40:00.123Z") to `now`; 0 when unreadable.
std::int64_t seconds_since(std::string_view committed, std::chrono::system_clock::time_point now) {
  std::tm parts{};
  const std::string text(committed.substr(0, 19));
  if (text.size() != 19 || ::strptime(text.c_str(), "%Y-%m-%d %H:%M:%S", &parts) == nullptr) {
    return 0;
  }
  const std::time_t then = ::timegm(&parts);
  return std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() - then;
}

}  // namespace

boost::asio::awaitable<std::size_t> Dispatcher::prune_now() {
  const db::Dialect& d = database_.dialect();
  auto q = [&d](std::string_view name) { return d.quote_identifier(name); };
  const auto cutoff_time = clock_.now() - options_.retention;
  const std::string cutoff = schema::format_datetime(cutoff_time);
  const std::int64_t cutoff_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(cutoff_time.time_since_epoch()).count();
  // Delivered (or dead-lettered) by every enabled destination: at or below the lowest cursor.
  const std::string floor_sql = "SELECT MIN(s." + q("cursor") + "), COUNT(*) FROM " +
                                q(kDestinationStatesTable) + " s JOIN " + q(kDestinationsTable) +
                                " t ON t." + q("id") + " = s." + q("destinationId") + " WHERE t." +
                                q("enabled") + " = 1";
  db::ResultSet floor_rows = co_await database_.query(floor_sql, db::Params{});
  const bool none = floor_rows.empty() || floor_rows[0].as_int(1) == 0;
  const std::int64_t floor =
      none ? INT64_MAX : (floor_rows[0][0].index() == 0 ? 0 : floor_rows[0].as_int(0));
  const std::string events_sql = "DELETE FROM " + q(kOutboxTable) + " WHERE " + q("seq") +
                                 " <= " + d.placeholder(1) + " AND " + q("committed") + " < " +
                                 d.placeholder(2);
  const std::string log_sql =
      "DELETE FROM " + q(kDeliveriesTable) + " WHERE " + q("createdMs") + " < " + d.placeholder(1);
  const db::Params event_params{db::Value(floor), db::Value(cutoff)};
  const db::Params log_params{db::Value(cutoff_ms)};
  std::size_t pruned = 0;
  auto job = [&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    const db::ExecResult events = co_await tx.execute(events_sql, event_params);
    const db::ExecResult logs = co_await tx.execute(log_sql, log_params);
    pruned = static_cast<std::size_t>(events.changes + logs.changes);
  };
  co_await database_.write(job);
  co_return pruned;
}

boost::asio::awaitable<void> Dispatcher::measure() {
  // Backlog and lag over the destinations this instance owns: rows after the lowest cursor.
  if (live_.empty()) {
    metrics::shared_gauges().outbox_backlog.store(0, std::memory_order_relaxed);
    metrics::shared_gauges().outbox_lag_seconds.store(0, std::memory_order_relaxed);
    co_return;
  }
  const db::Dialect& d = database_.dialect();
  auto q = [&d](std::string_view name) { return d.quote_identifier(name); };
  const std::string sql = "SELECT COUNT(*), MIN(o." + q("committed") + ") FROM " + q(kOutboxTable) +
                          " o WHERE o." + q("seq") + " > (SELECT MIN(" + q("cursor") + ") FROM " +
                          q(kDestinationStatesTable) + " WHERE " + q("owner") + " = " +
                          d.placeholder(1) + ")";
  const db::Params params{db::Value(options_.owner)};
  const db::ReadOptions pooled{.pooled = false};
  db::ResultSet rows = co_await database_.query(sql, params, pooled);
  std::int64_t backlog = 0;
  std::int64_t lag = 0;
  if (!rows.empty()) {
    backlog = rows[0].as_int(0);
    if (!rows[0].is_null(1)) {
      lag = seconds_since(rows[0].as_text(1), clock_.now());
    }
  }
  metrics::shared_gauges().outbox_backlog.store(backlog, std::memory_order_relaxed);
  metrics::shared_gauges().outbox_lag_seconds.store(std::max<std::int64_t>(lag, 0),
                                                    std::memory_order_relaxed);
}

}  // namespace basalt::events
