// DatabaseRateLimiter: the RateLimiter of the instances on one PostgreSQL database
// (docs/scaling.md, "Sign-in limits"): every instance counts against the same bucket, a row of
// `_rateLimitBuckets`, and the database decides, so N failures spread over any instances spend
// the same limit as N failures on one.
//
// Invariants:
//  1. One row per (limiter name, key): `key` is `<name>:<key>` (bounded_limit_key: at most 256
//     bytes, else a digest), `fullUntil` the instant in Unix milliseconds when its failures have
//     all drained — MemoryRateLimiter's GCRA, with the same arithmetic.
//  2. acquire() is one write job of one statement: an upsert whose DO UPDATE has a WHERE that
//     admits the attempt only if it fits, so two instances can never both spend the last
//     failure (the row is locked by the upsert; a SERIALIZABLE conflict reruns the job). A
//     refusal reads the row in the same job for the Retry-After (a second statement).
//     release() is one write job of one UPDATE.
//  3. Time is the wall clock of the core::Clock it is given (the instances' clocks must agree:
//     NTP), not the `now` arguments (steady clocks of different processes do not compare).
//  4. Bounded table: every 256th acquire() of a limiter also deletes up to 512 drained rows
//     (`fullUntil` at or before now, found through its index), in the same job.
// Thread safety: any thread with an executor; the Database and Clock must outlive it.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "basalt/auth/rate_limiter.hpp"
#include "basalt/core/clock.hpp"
#include "basalt/db/database.hpp"
#include "basalt/db/migrations.hpp"

namespace basalt::auth {

inline constexpr std::string_view kRateLimitTable = "_rateLimitBuckets";

// Creates `_rateLimitBuckets(key TEXT PRIMARY KEY, fullUntil INTEGER)` and its index on
// fullUntil (both engines; only instances on PostgreSQL use it).
std::vector<db::Migration> rate_limit_migrations(const db::Dialect& dialect);

class DatabaseRateLimiter final : public RateLimiter {
 public:
  // `name` tells this limiter's keys from the others' in the shared table (the same on every
  // instance). Throws std::invalid_argument when the window is not positive while the limit
  // is on (max_failures 0 turns it off: every attempt passes, nothing is written).
  DatabaseRateLimiter(db::Database& database, const core::Clock& clock, std::string name,
                      RateLimit limit);

  boost::asio::awaitable<Admission> acquire(std::string key, Clock::time_point now) override;
  boost::asio::awaitable<void> release(std::string key, Clock::time_point now) override;

 private:
  std::string stored_key(std::string_view key) const;
  std::int64_t now_ms() const;

  db::Database& database_;
  const core::Clock& clock_;
  const std::string name_;
  const RateLimit limit_;
  std::int64_t interval_ms_ = 0;
  std::int64_t window_ms_ = 0;
  std::string acquire_sql_;
  std::string read_sql_;
  std::string release_sql_;
  std::string sweep_sql_;
  std::atomic<std::uint64_t> acquisitions_{0};
};

}  // namespace basalt::auth
