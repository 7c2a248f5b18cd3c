// JobStore: the durable job queue's table `_jobs` and every statement on it (docs/jobs.md).
//
// A job is a row: kind, JSON payload text, state, when it may run, attempts made and allowed,
// the lease of the runner holding it, the last error, and an optional dedupe key (unique: a
// second enqueue with the same key inserts nothing). States:
//
//   queued --claim--> running --done--> done (pruned after a retention)
//                        |  \--error, attempts left--> queued (runAt = now + backoff)
//                        |  \--error, none left, or a permanent error--> failed (kept)
//                        \--lease expired (its runner died)--> claimed again like a queued job
//
// Invariants:
//  1. A claim is one write job: it selects due rows (queued with runAt <= now, or running with
//     an expired lease) and marks them running under the claimant's owner id with a lease, in
//     the same transaction. On PostgreSQL the SELECT locks the rows with SKIP LOCKED, so
//     concurrent instances take different rows; on SQLite the single writer serialises claims.
//  2. An outcome (done, retry, failed) or a lease renewal applies only to a row still running
//     under the same owner: a runner whose lease expired and whose job was claimed again
//     changes nothing.
//  3. A running row whose lease expired after its last allowed attempt is marked failed by the
//     next claim ("lease expired"), never run again.
//  4. Times are Unix milliseconds from the injected clock.
// Thread safety: every call may be made from any thread running an asio executor.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "basalt/core/clock.hpp"
#include "basalt/db/database.hpp"
#include "basalt/db/migrations.hpp"

namespace basalt::jobs {

inline constexpr std::string_view kJobsTable = "_jobs";

// The migrations that create `_jobs` (applied after the system tables, app/storage.cpp).
std::vector<db::Migration> job_migrations(const db::Dialect& dialect);

struct NewJob {
  std::string kind;
  std::string payload = "{}";                      // JSON text handed to the handler as it is
  std::chrono::system_clock::time_point run_at{};  // epoch (the default): now
  int max_attempts = 5;                            // >= 1
  std::optional<std::string> dedupe_key;
};

struct ClaimedJob {
  std::string id;
  std::string kind;
  std::string payload;
  int attempt = 0;  // 1 for the first run
  int max_attempts = 1;
};

// What running a claimed job came to.
struct JobOutcome {
  std::string id;
  bool succeeded = false;
  bool permanent = false;  // a failure no retry can mend: failed at once
  std::string error;       // the failure's text (kept as lastError, at most 1,000 bytes)
  int attempt = 0;
  int max_attempts = 1;
};

// Retries: attempt n waits min(first * 2^(n-1), max), less a random part of up to half of it
// (jitter, so that jobs failing together do not retry together).
struct RetryPolicy {
  std::chrono::milliseconds first{2000};
  std::chrono::milliseconds max{std::chrono::minutes(10)};
};

// One write of a runner's cycle (invariant 1): outcomes, then renewals, then a claim.
struct Cycle {
  std::vector<JobOutcome> outcomes;
  std::vector<std::string> renew;  // ids still running here whose lease is extended
  // ids claimed here that never started (a stop): back to queued, the claim's attempt undone
  std::vector<std::string> release;
  std::size_t claim = 0;  // how many jobs to claim at most
};

struct JobCounts {
  std::int64_t queued = 0;
  std::int64_t running = 0;
  std::int64_t failed = 0;
};

// One row as the jobs API lists it (the payload is left out: it may hold a mail's links).
struct JobRow {
  std::string id;
  std::string kind;
  std::string state;
  std::int64_t run_at = 0;
  int attempts = 0;
  int max_attempts = 0;
  std::string last_error;
  std::int64_t created = 0;
  std::int64_t updated = 0;
};

class JobStore {
 public:
  JobStore(db::Database& database, const core::Clock& clock, RetryPolicy retry = {});

  // Inserts a job; false when its dedupe key is taken (nothing inserted). Throws
  // std::invalid_argument for an empty kind or max_attempts < 1.
  boost::asio::awaitable<bool> enqueue(NewJob job);

  // Invariants 1-3. `owner` names the runner; `lease` is how long a claim or renewal holds.
  boost::asio::awaitable<std::vector<ClaimedJob>> cycle(Cycle cycle, std::string owner,
                                                        std::chrono::milliseconds lease);

  // Whether a claim would find a job now (a read; no write when idle), and when the earliest
  // queued job that is not yet due becomes due (epoch when none).
  struct Due {
    bool now = false;
    std::chrono::system_clock::time_point next{};
  };
  boost::asio::awaitable<Due> due();

  // Deletes done rows older than `done_for` and failed rows older than `failed_for`, at most
  // `limit` of each; returns how many went.
  boost::asio::awaitable<std::int64_t> prune(std::chrono::milliseconds done_for,
                                             std::chrono::milliseconds failed_for,
                                             std::size_t limit = 500);

  boost::asio::awaitable<JobCounts> counts();

  // The newest `limit` rows in `state` ("" for any), newest first.
  boost::asio::awaitable<std::vector<JobRow>> list(std::string state, std::size_t limit);

  // The delay before retry number `attempt` (1-based) under the policy, with jitter.
  std::chrono::milliseconds backoff(int attempt) const;

 private:
  std::int64_t now_ms() const;

  db::Database& database_;
  const core::Clock& clock_;
  const RetryPolicy retry_;
};

}  // namespace basalt::jobs
