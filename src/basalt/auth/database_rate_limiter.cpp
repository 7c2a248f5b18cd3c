#include "basalt/auth/database_rate_limiter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace basalt::auth {
namespace {

// Drained rows deleted by one sweep, and how many acquisitions of a limiter between sweeps
// (invariant 4): a sweep removes more rows than the acquisitions before it can add.
constexpr std::int64_t kSweepRows = 512;
constexpr std::uint64_t kSweepEvery = 256;

}  // namespace

std::vector<db::Migration> rate_limit_migrations(const db::Dialect& dialect) {
  auto create = [&dialect](db::Transaction& tx) -> boost::asio::awaitable<void> {
    const std::string table = dialect.quote_identifier(kRateLimitTable);
    co_await tx.execute(fmt::format(
        "CREATE TABLE {} ({} {} PRIMARY KEY NOT NULL, {} {} NOT NULL)", table,
        dialect.quote_identifier("key"), dialect.column_definition_type(db::ColumnType::kText),
        dialect.quote_identifier("fullUntil"), dialect.column_type(db::ColumnType::kInteger)));
    co_await tx.execute(fmt::format("CREATE INDEX {} ON {} ({})",
                                    dialect.quote_identifier("_rateLimitBuckets_fullUntil"), table,
                                    dialect.quote_identifier("fullUntil")));
  };
  return {db::Migration{"1765152000_rate_limit_buckets", create}};
}

DatabaseRateLimiter::DatabaseRateLimiter(db::Database& database, const core::Clock& clock,
                                         std::string name, RateLimit limit)
    : database_(database), clock_(clock), name_(std::move(name)), limit_(limit) {
  if (limit_.max_failures == 0) return;
  window_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(limit_.window).count();
  if (window_ms_ <= 0) throw std::invalid_argument("rate limit window must be positive");
  interval_ms_ = std::max<std::int64_t>(window_ms_ / limit_.max_failures, 1);

  const db::Dialect& d = database_.dialect();
  const std::string table = d.quote_identifier(kRateLimitTable);
  const std::string key = d.quote_identifier("key");
  const std::string until = d.quote_identifier("fullUntil");
  // Integers cast where they are written: PostgreSQL infers no type for `$2 + $3`.
  const std::string p1 = d.placeholder(1);                  // the stored key
  const std::string p2 = d.integer_cast(d.placeholder(2));  // now, Unix ms
  const std::string p3 = d.integer_cast(d.placeholder(3));  // the interval, ms
  const std::string p4 = d.integer_cast(d.placeholder(4));  // the window, ms
  // max(fullUntil, now) + interval, as MemoryRateLimiter moves its instant; admitted while
  // that is at most a window ahead of now. The existing row's column is named with its table
  // (PostgreSQL finds a bare name ambiguous beside EXCLUDED's).
  const std::string existing = table + "." + until;
  const std::string next = "(CASE WHEN " + existing + " > " + p2 + " THEN " + existing + " ELSE " +
                           p2 + " END + " + p3 + ")";
  acquire_sql_ =
      "INSERT INTO " + table + " (" + key + ", " + until + ") VALUES (" + p1 + ", " + p2 + " + " +
      p3 + ")" +
      d.on_conflict_update(key, until + " = " + next + " WHERE " + next + " - " + p2 + " <= " + p4);
  read_sql_ = "SELECT " + until + " FROM " + table + " WHERE " + key + " = " + p1;
  release_sql_ = "UPDATE " + table + " SET " + until + " = " + until + " - " + p2 + " WHERE " +
                 key + " = " + p1;
  sweep_sql_ = "DELETE FROM " + table + " WHERE " + key + " IN (SELECT " + key + " FROM " + table +
               " WHERE " + until + " <= " + p1 + " LIMIT " + p2 + ")";
}

std::string DatabaseRateLimiter::stored_key(std::string_view key) const {
  return bounded_limit_key(name_ + ":" + std::string(key));
}

std::int64_t DatabaseRateLimiter::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch())
      .count();
}

boost::asio::awaitable<Admission> DatabaseRateLimiter::acquire(std::string key,
                                                               Clock::time_point /*now*/) {
  if (limit_.max_failures == 0) co_return Admission{};
  const std::string stored = stored_key(key);
  const std::int64_t now = now_ms();
  const bool sweep =
      acquisitions_.fetch_add(1, std::memory_order_relaxed) % kSweepEvery == kSweepEvery - 1;
  Admission admission;
  co_await database_.write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    admission = Admission{};  // a rerun starts over
    if (sweep) co_await tx.execute(sweep_sql_, now, kSweepRows);
    const db::ExecResult counted =
        co_await tx.execute(acquire_sql_, stored, now, interval_ms_, window_ms_);
    if (counted.changes > 0) co_return;
    // Refused: until one interval has drained, fullUntil + interval - window (invariant 1).
    const db::ResultSet rows = co_await tx.query(read_sql_, stored);
    const std::int64_t full_until = rows.empty() ? now : rows[0].as_int(0);
    const std::int64_t wait_ms = full_until + interval_ms_ - window_ms_ - now;
    admission.allowed = false;
    admission.retry_after = std::chrono::seconds(std::max<std::int64_t>((wait_ms + 999) / 1000, 1));
  });
  co_return admission;
}

boost::asio::awaitable<void> DatabaseRateLimiter::release(std::string key,
                                                          Clock::time_point /*now*/) {
  if (limit_.max_failures == 0) co_return;
  const std::string stored = stored_key(key);
  co_await database_.write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    co_await tx.execute(release_sql_, stored, interval_ms_);
  });
}

}  // namespace basalt::auth
