// Writer: the one thread that writes to a SQLite database. Callers queue write jobs; the
// writer runs whatever is queued as one transaction (group commit), so many small writes
// share one commit, and resumes each caller with its own outcome (docs/architecture.md).
//
// Invariants:
//  1. Only the writer thread touches the write connection and runs jobs. Callers touch only
//     the queue, under mutex_. The connection is handed over when the thread starts.
//  2. A batch is at most max_batch_jobs jobs taken from the front of the queue, run one after
//     another in arrival order inside one BEGIN IMMEDIATE ... COMMIT. Jobs queued while a
//     batch runs wait for the next one.
//  3. A job fails alone: one that throws — or that returns leaving a deferred foreign key
//     violated, which would make COMMIT fail for the whole batch — leaves no change behind
//     and the others of its batch go on. A batch first runs its jobs back to back with no
//     savepoint (a savepoint costs SQLite a copy of every page a job touches again, a quarter
//     of a small create's time in the writer). At the first failure that round is rolled back
//     whole, the failed job completes with its error, and the others run again from the
//     start, now each between SAVEPOINT _basalt_job and RELEASE: a job failing there is
//     rolled back to its savepoint (ROLLBACK TO + RELEASE) and fails alone. The failed job's
//     error is what it met after exactly the jobs that precede it in the rerun, so callers
//     see what savepoints alone would have given; a batch reruns at most once for failures.
//     So every job starts with no deferred violation pending.
//  4. A caller is resumed only once its outcome is final: after the batch's COMMIT returned
//     (success, or the job's own error), after COMMIT failed (the commit's error), or after
//     its own failure in a batch SQLite abandoned (6). A success reported is a commit made;
//     a job reported failed left no change behind.
//  5. Completions are posted to each caller's own executor, which is kept from running out of
//     work until then. The writer runs no caller code but the job itself, and destroys the
//     job before posting its completion.
//  6. If SQLite abandons the transaction mid-batch (it rolls everything back after a writing
//     statement is interrupted, an I/O error or a full disk; seen as autocommit mode after a
//     job), the job at fault completes with its error, the jobs that failed before it keep
//     their own errors, and every other job of the batch — succeeded or not yet run — runs
//     again in a fresh transaction. Each round completes at least one job, so it ends.
//  7. After a batch's COMMIT (or its failure), and before any of its callers is resumed, the
//     tables its statements wrote move on in `versions` (DataVersions invariant 3); a schema
//     change, or rows written where the connection could not name the table, move every
//     table. Rolled-back jobs' tables move too: harmless, a cache only recomputes.
//  8. The destructor refuses new jobs (they fail with DatabaseError), runs every job already
//     queued to completion, then joins the thread and closes the connection.
//  9. The writer thread does not checkpoint the WAL while it stays below `limit_pages`: the
//     write connection has no auto-checkpoint (connection.hpp), and after a COMMIT that left
//     the WAL at `checkpoint_pages` or more the writer only asks the Checkpointer (its own
//     thread and connection) for a PASSIVE checkpoint, after the batch's callers have been
//     resumed. A WAL fully copied back is started over by the next commit (SQLite does that
//     when no reader still reads it). Under a steady stream of commits the checkpointer never
//     quite catches up, so the WAL grows until `limit_pages` (or readers keep checkpoints from
//     finishing): then the writer pauses the checkpointer (whose checkpoint lock would make a
//     second checkpoint fail at once) and runs a RESTART checkpoint itself, copying what is
//     left and waiting for the readers in the WAL (each bounded by the statement budget) up to
//     the busy timeout: the WAL's size stays bounded by about `limit_pages` plus what commits
//     add while the oldest read runs.
// 11. Planner statistics follow the data (docs/architecture.md, "Planner statistics"): after a
//     committed batch, when `statistics.rows` rows or more were changed since the last refresh,
//     or the schema changed (a collection added, an index created), or `statistics.interval`
//     passed with any row changed, the writer runs a bounded ANALYZE in a transaction of its
//     own, after the batch's callers were resumed. SQLite's connections load statistics only
//     when they read the schema, so the same transaction also creates and drops an empty
//     table: the schema version moves and every read connection reloads schema and
//     statistics (and re-prepares its statements) before its next statement. A failed refresh
//     is logged and tried again after the next commit. Rows of `statistics.uncounted_tables`
//     do not count toward `statistics.rows`.
// 10. While a hold is taken (hold_wal_restarts(), a database snapshot being copied: its read
//     transaction keeps the WAL from being started over for as long as the copy runs), the
//     writer never waits for readers: past `limit_pages` it only asks the checkpointer for a
//     PASSIVE checkpoint, as below the limit. The WAL grows by what is committed meanwhile and
//     is brought back under the limit by the first commit after the last hold ends. Taking a
//     hold waits for a RESTART already running to end (restart_mutex_), so a snapshot's read
//     transaction never begins under a RESTART that would then wait for it.
#pragma once

#include <atomic>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "basalt/core/span_scope.hpp"
#include "basalt/db/database.hpp"
#include "basalt/db/sqlite/checkpointer.hpp"
#include "basalt/db/sqlite/connection.hpp"

namespace basalt::db::sqlite {

// When the WAL is checkpointed (invariant 9), in pages of the database.
struct WalLimits {
  int checkpoint_pages = 1000;  // SQLite's own auto-checkpoint point (4 MiB at 4 KiB pages)
  int limit_pages = 4096;       // 16 MiB at 4 KiB pages: the writer checkpoints itself
};

// When planner statistics are refreshed (invariant 11).
struct StatisticsPolicy {
  std::int64_t rows = 10'000;                            // rows changed since the last refresh
  std::chrono::seconds interval{std::chrono::hours(1)};  // with any row changed
  // The statements of one refresh (the dialect's statistics_statements()); none: never.
  std::vector<std::string> statements;
  // Tables whose rows do not count toward `rows` (exact names; they are analyzed like every
  // table when a refresh runs): append-only tables written at every change of other tables
  // (the outbox, the delivery log), which would otherwise make every refresh come twice as
  // soon without changing what the other tables' statistics say.
  std::vector<std::string> uncounted_tables;
};

class Writer {
 public:
  // Opens (creating) the database at `path` as the write connection and starts the thread.
  // Throws DatabaseError if the database cannot be opened.
  // `versions` must outlive the writer.
  Writer(const std::string& path, const ConnectionOptions& options, std::size_t max_batch_jobs,
         DataVersions& versions, WalLimits wal = {}, StatisticsPolicy statistics = {});
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Database::write: queues `job` and completes as described there and above. Thread-safe.
  // Throws DatabaseError at once when called on the writer thread (from inside a job).
  boost::asio::awaitable<void> submit(WriteJob job);

  const Checkpointer& checkpointer() const noexcept { return checkpointer_; }

  // Any thread (invariant 10): holds are counted; each hold_wal_restarts() is matched by one
  // release_wal_restarts().
  void hold_wal_restarts() {
    restart_holds_.fetch_add(1);
    try {
      std::lock_guard running(restart_mutex_);  // a RESTART that began before the hold ends
    } catch (...) {
      restart_holds_.fetch_sub(1);
      throw;
    }
  }
  void release_wal_restarts() noexcept { restart_holds_.fetch_sub(1); }

 private:
  using Handler = boost::asio::any_completion_handler<void(std::exception_ptr)>;
  struct Pending {
    WriteJob job;
    Handler handler;
    boost::asio::any_io_executor executor;  // the caller's, tracking outstanding work
    // The caller's current span (core/span_scope.hpp): the job's span hangs under it and the
    // job's statements under the job's; when it was queued, read only when sampled.
    core::ActiveSpan span;
    // The caller's `tracestate` (core::SpanCell::trace_state), copied: the caller's cell may
    // move on before the job runs. Empty (no allocation) unless the request brought one.
    std::string trace_state;
    std::chrono::system_clock::time_point queued_wall{};
    std::chrono::steady_clock::time_point queued{};
  };

  void enqueue(Pending pending);
  static void complete(Pending& pending, std::exception_ptr error);

  // Writer thread only.
  boost::asio::awaitable<void> drain();
  boost::asio::awaitable<void> run_batch(std::vector<Pending> jobs);
  // `guarded`: in a savepoint of its own (invariant 3).
  boost::asio::awaitable<std::exception_ptr> run_job(Pending& pending, bool guarded);
  void roll_back_batch() noexcept;
  void publish_writes() noexcept;             // invariant 7
  void checkpoint_if_due() noexcept;          // invariant 9
  void refresh_statistics_if_due() noexcept;  // invariant 11
  // Rows changed so far, the uncounted tables' left out (invariant 11).
  std::int64_t counted_changes() const noexcept;

  Connection connection_;      // the writer thread's, once started (1)
  Checkpointer checkpointer_;  // after connection_: opens the file that one created
  const WalLimits wal_;
  std::atomic<int> restart_holds_{0};  // any thread (invariant 10)
  std::mutex restart_mutex_;  // held by the writer thread while it decides and runs a RESTART
  const std::size_t max_batch_jobs_;
  DataVersions& versions_;
  std::int64_t schema_version_ = -1;  // writer thread: as of the last publish_writes()
  // Writer thread (invariant 11): the policy, and the state since the last refresh.
  const StatisticsPolicy statistics_;
  std::int64_t changes_at_refresh_ = 0;
  bool schema_changed_ = false;
  std::chrono::steady_clock::time_point refreshed_at_ = std::chrono::steady_clock::now();
  boost::asio::io_context context_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;

  std::mutex mutex_;
  std::deque<Pending> queue_;  // guarded by mutex_
  bool draining_ = false;      // guarded by mutex_: a drain() is scheduled or running
  bool closed_ = false;        // guarded by mutex_: the destructor has begun

  std::thread thread_;  // last: started once everything above exists
};

}  // namespace basalt::db::sqlite
