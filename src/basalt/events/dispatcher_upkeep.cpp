// The outbox's upkeep, run by the dispatcher's thread between passes (docs/events.md,
// "Retention" and "Metrics"): pruning what every destination has delivered once the retention
// has passed, and the backlog and lag gauges of the destinations this instance owns.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "basalt/events/dispatcher.hpp"
#include "basalt/events/outbox_tables.hpp"
#include "basalt/metrics/shared_gauges.hpp"
#include "basalt/schema/datetime.hpp"

namespace basalt::events {
namespace {

// The backlog gauge counts rows up to this many; past it, the distance in sequence numbers.
constexpr std::int64_t kBacklogCounted = 10'000;

// Whole seconds from `committed` ("2026-12-06 23:40:00.123Z", as the outbox writes it) to
// `now`; 0 when unreadable.
std::int64_t seconds_since(std::string_view committed, std::chrono::system_clock::time_point now) {
  const std::optional<schema::DateTime> then = schema::DateTime::parse(committed);
  if (!then) return 0;
  const std::int64_t micros = schema::DateTime::from_time_point(now).micros_since_year_one() -
                              then->micros_since_year_one();
  return micros / 1'000'000;
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
  // The newest event stays whatever its age: the key numbers each insert above the largest
  // present, so keeping the largest means no number is given twice (Dialect::
  // increasing_key_column), and a cursor never stands above a new event.
  const std::string events_sql = "DELETE FROM " + q(kOutboxTable) + " WHERE " + q("seq") +
                                 " <= " + d.placeholder(1) + " AND " + q("committed") + " < " +
                                 d.placeholder(2) + " AND " + q("seq") + " < (SELECT MAX(" +
                                 q("seq") + ") FROM " + q(kOutboxTable) + ")";
  // ... but not its content: once it would have been pruned, its record and trace context are
  // erased, so nothing of a change outlives the retention but its number. Destinations skip
  // such a row (Dispatcher::wanted, and the redelivery join).
  const std::string erase_sql = "UPDATE " + q(kOutboxTable) + " SET " + q("record") + " = '', " +
                                q("traceparent") + " = '', " + q("tracestate") + " = '' WHERE " +
                                q("seq") + " <= " + d.placeholder(1) + " AND " + q("committed") +
                                " < " + d.placeholder(2) + " AND " + q("record") + " <> ''";
  const std::string log_sql =
      "DELETE FROM " + q(kDeliveriesTable) + " WHERE " + q("createdMs") + " < " + d.placeholder(1);
  const db::Params event_params{db::Value(floor), db::Value(cutoff)};
  const db::Params log_params{db::Value(cutoff_ms)};
  std::size_t pruned = 0;
  auto job = [&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    const db::ExecResult events = co_await tx.execute(events_sql, event_params);
    co_await tx.execute(erase_sql, event_params);
    const db::ExecResult logs = co_await tx.execute(log_sql, log_params);
    pruned = static_cast<std::size_t>(events.changes + logs.changes);
  };
  co_await database_.write(job);
  co_return pruned;
}

boost::asio::awaitable<void> Dispatcher::measure() {
  // Backlog and lag over the destinations this instance owns: the events after the lowest
  // cursor. Once a second, so its cost must not grow with the backlog (a destination that is
  // down lets it grow by every create): the oldest event is found by the key, and the rows
  // are counted only up to kBacklogCounted; past that the backlog is the distance in sequence
  // numbers (exact on SQLite, whose rowid key leaves no gaps above a cursor; on PostgreSQL
  // numbers drawn by rolled-back writes count too).
  if (live_.empty()) {
    metrics::shared_gauges().outbox_backlog.store(0, std::memory_order_relaxed);
    metrics::shared_gauges().outbox_lag_seconds.store(0, std::memory_order_relaxed);
    co_return;
  }
  const db::Dialect& d = database_.dialect();
  auto q = [&d](std::string_view name) { return d.quote_identifier(name); };
  // Enabled destinations only, as prune_now's floor: rows past a disabled one's cursor may be
  // pruned, and would then count in the sequence distance below.
  const std::string floor_sql =
      "SELECT MIN(s." + q("cursor") + ") FROM " + q(kDestinationStatesTable) + " s JOIN " +
      q(kDestinationsTable) + " t ON t." + q("id") + " = s." + q("destinationId") + " WHERE s." +
      q("owner") + " = " + d.placeholder(1) + " AND t." + q("enabled") + " = 1";
  const db::Params owner{db::Value(options_.owner)};
  const db::ResultSet floor_rows = co_await database_.query(floor_sql, owner);
  std::int64_t backlog = 0;
  std::int64_t lag = 0;
  if (!floor_rows.empty() && !floor_rows[0].is_null(0)) {
    const std::int64_t floor = floor_rows[0].as_int(0);
    const db::Params after{db::Value(floor)};
    const std::string oldest_sql = "SELECT " + q("committed") + " FROM " + q(kOutboxTable) +
                                   " WHERE " + q("seq") + " > " + d.placeholder(1) + " ORDER BY " +
                                   q("seq") + " LIMIT 1";
    const db::ResultSet oldest = co_await database_.query(oldest_sql, after);
    if (!oldest.empty()) {
      lag = seconds_since(oldest[0].as_text(0), clock_.now());
      const std::string count_sql = "SELECT COUNT(*) FROM (SELECT 1 FROM " + q(kOutboxTable) +
                                    " WHERE " + q("seq") + " > " + d.placeholder(1) + " ORDER BY " +
                                    q("seq") + " LIMIT " + std::to_string(kBacklogCounted + 1) +
                                    ") counted";
      const db::ResultSet counted = co_await database_.query(count_sql, after);
      backlog = counted.empty() ? 0 : counted[0].as_int(0);
      if (backlog > kBacklogCounted) {
        const std::string last_sql = "SELECT MAX(" + q("seq") + ") FROM " + q(kOutboxTable);
        const db::ResultSet last = co_await database_.query(last_sql, db::Params{});
        if (!last.empty() && !last[0].is_null(0)) backlog = last[0].as_int(0) - floor;
      }
    }
  }
  metrics::shared_gauges().outbox_backlog.store(backlog, std::memory_order_relaxed);
  metrics::shared_gauges().outbox_lag_seconds.store(std::max<std::int64_t>(lag, 0),
                                                    std::memory_order_relaxed);
}

}  // namespace basalt::events
