#include "basalt/db/sqlite/writer.hpp"

#include <fmt/format.h>
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <type_traits>

#include "basalt/db/database_error.hpp"
#include "basalt/db/sqlite/thread_name.hpp"
#include "basalt/metrics/shared_gauges.hpp"
#include "basalt/metrics/thread_block.hpp"

namespace basalt::db::sqlite {
namespace {

namespace asio = boost::asio;

constexpr std::string_view kBegin = "BEGIN IMMEDIATE";
constexpr std::string_view kCommit = "COMMIT";
constexpr std::string_view kRollback = "ROLLBACK";
constexpr std::string_view kSavepoint = "SAVEPOINT _basalt_job";
constexpr std::string_view kRelease = "RELEASE _basalt_job";
constexpr std::string_view kRollbackToSavepoint = "ROLLBACK TO _basalt_job";

// A copy of `error` as its own type, so that a full disk stays a StorageFullError for every
// caller of the batch.
std::exception_ptr copy_of(const DatabaseError& error) {
  if (const auto* full = dynamic_cast<const StorageFullError*>(&error)) {
    return std::make_exception_ptr(*full);
  }
  return std::make_exception_ptr(error);
}

std::exception_ptr abandoned_error() {
  return std::make_exception_ptr(
      DatabaseError("SQLite rolled back the transaction of this write job"));
}

// The Transaction a job sees. It remembers the error after which SQLite had abandoned the
// transaction (Writer invariant 6) and refuses to run anything after that: a statement run
// in autocommit mode would commit on its own, outside the batch.
class JobTransaction final : public Transaction {
 public:
  explicit JobTransaction(Connection& connection) : connection_(connection) {}

  asio::awaitable<ResultSet> query(std::string_view sql, const Params& params) override {
    co_return guarded([&] { return connection_.query(sql, params); });
  }

  asio::awaitable<ExecResult> execute(std::string_view sql, const Params& params) override {
    co_return guarded([&] { return connection_.execute(sql, params); });
  }

  asio::awaitable<std::vector<ColumnOrigin>> describe(std::string_view sql) override {
    co_return guarded([&] { return connection_.describe(sql); });
  }

  // The error that made SQLite abandon the transaction, or null.
  std::exception_ptr abandoned_by() const noexcept { return abandoned_by_; }

 private:
  template <typename Run>
  std::invoke_result_t<Run> guarded(Run run) {
    if (!connection_.in_transaction()) {
      throw DatabaseError(
          "this write job's transaction was rolled back after an earlier error; no further "
          "statements run in it");
    }
    try {
      return run();
    } catch (...) {
      if (!connection_.in_transaction() && !abandoned_by_) {
        abandoned_by_ = std::current_exception();
      }
      throw;
    }
  }

  Connection& connection_;
  std::exception_ptr abandoned_by_;
};

// The queue's length for the scrape; called with mutex_ held (shared_gauges.hpp).
void set_queue_gauge(std::size_t jobs) noexcept {
  metrics::shared_gauges().writer_queue_jobs.store(static_cast<std::int64_t>(jobs),
                                                   std::memory_order_relaxed);
}

}  // namespace

Writer::Writer(const std::string& path, const ConnectionOptions& options,
               std::size_t max_batch_jobs, DataVersions& versions, WalLimits wal,
               StatisticsPolicy statistics)
    : connection_(path, ConnectionRole::kWriter, options),
      checkpointer_(path),
      wal_(wal),
      max_batch_jobs_(max_batch_jobs == 0 ? 1 : max_batch_jobs),
      versions_(versions),
      statistics_(std::move(statistics)),
      work_(context_.get_executor()) {
  connection_.count_apart(statistics_.uncounted_tables);
  changes_at_refresh_ = counted_changes();
  thread_ = std::thread([this, name = database_thread_name("basalt-writer", "basalt-wr-", path)] {
    pthread_setname_np(pthread_self(), name.c_str());
    for (;;) {
      try {
        context_.run();
        return;
      } catch (const std::exception& error) {
        // drain() catches everything a job or SQLite throws; this is a last resort so that
        // queued callers are not left waiting forever.
        spdlog::error("database writer: unexpected error: {}", error.what());
      }
    }
  });
}

Writer::~Writer() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  work_.reset();  // run() returns once the queue is drained (invariant 8)
  if (thread_.joinable()) thread_.join();
}

asio::awaitable<void> Writer::submit(WriteJob job) {
  if (std::this_thread::get_id() == thread_.get_id()) {
    throw DatabaseError("write() called from inside a write job would wait for itself");
  }
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(std::exception_ptr)>(
      [this](auto handler, WriteJob job) {
        asio::any_io_executor executor = asio::prefer(asio::get_associated_executor(handler),
                                                      asio::execution::outstanding_work.tracked);
        Pending pending{std::move(job), Handler(std::move(handler)), std::move(executor)};
        pending.span = core::current_span();  // on the caller's thread, its cell installed
        if (pending.span.valid()) pending.trace_state = core::current_trace_state();
        if (pending.span.sampled()) {
          pending.queued_wall = std::chrono::system_clock::now();
          pending.queued = std::chrono::steady_clock::now();
        }
        enqueue(std::move(pending));
      },
      asio::use_awaitable, std::move(job));
}

void Writer::enqueue(Pending pending) {
  bool accepted = false;
  bool start = false;
  {
    std::lock_guard lock(mutex_);
    if (!closed_) {
      queue_.push_back(std::move(pending));
      set_queue_gauge(queue_.size());
      accepted = true;
      start = !draining_;
      draining_ = true;
    }
  }
  if (!accepted) {
    complete(pending, std::make_exception_ptr(DatabaseError("the database is closed")));
    return;
  }
  if (start) asio::co_spawn(context_, drain(), asio::detached);
}

void Writer::complete(Pending& pending, std::exception_ptr error) {
  pending.job = nullptr;  // its captures go before the caller resumes (invariant 5)
  asio::any_io_executor executor = std::move(pending.executor);
  // The writer keeps no reference to `error`: the caller owns the exception once resumed.
  asio::post(executor, [handler = std::move(pending.handler), error = std::move(error)]() mutable {
    std::move(handler)(std::move(error));
  });
}

asio::awaitable<void> Writer::drain() {
  for (;;) {
    std::vector<Pending> batch;
    {
      std::lock_guard lock(mutex_);
      if (queue_.empty()) {
        draining_ = false;
        co_return;
      }
      const std::size_t take = std::min(queue_.size(), max_batch_jobs_);
      batch.reserve(take);
      for (std::size_t i = 0; i < take; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      set_queue_gauge(queue_.size());
    }
    try {
      co_await run_batch(std::move(batch));
    } catch (const std::exception& error) {
      // run_batch catches what jobs and SQLite throw; only a failure to post a completion
      // (out of memory) gets here. Keep serving the queue.
      spdlog::error("database writer: a batch failed: {}", error.what());
    }
  }
}

asio::awaitable<void> Writer::run_batch(std::vector<Pending> jobs) {
  bool guarded = false;  // each job in its own savepoint (invariant 3)
  while (!jobs.empty()) {
    roll_back_batch();  // only if an earlier failure left a transaction open
    try {
      connection_.control(kBegin);
    } catch (const DatabaseError& error) {
      for (Pending& pending : jobs) complete(pending, copy_of(error));
      co_return;
    } catch (...) {  // out of memory: nothing to copy safely, so the callers share it
      for (Pending& pending : jobs) complete(pending, std::current_exception());
      co_return;
    }

    std::vector<std::exception_ptr> errors(jobs.size());
    std::optional<std::size_t> at_fault;
    std::optional<std::size_t> failed;  // the first failure of a round without savepoints
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      errors[i] = co_await run_job(jobs[i], guarded);
      if (!connection_.in_transaction()) {
        at_fault = i;
        break;
      }
      if (!guarded && errors[i]) {
        failed = i;
        break;
      }
    }

    if (failed) {  // invariant 3: undo the round, the others run again, each in a savepoint
      if (metrics::enabled()) metrics::local().transaction_retries.add();
      roll_back_batch();
      publish_writes();
      complete(jobs[*failed], std::move(errors[*failed]));
      // Moved into a new vector, not erased: a Handler is move-constructible, but assigning
      // one wraps it in another (any_completion_handler has no move assignment of its own).
      std::vector<Pending> others;
      others.reserve(jobs.size() - 1);
      for (std::size_t i = 0; i < jobs.size(); ++i) {
        if (i != *failed) others.push_back(std::move(jobs[i]));
      }
      jobs = std::move(others);
      guarded = true;
      continue;
    }

    if (at_fault) {  // invariant 6
      if (metrics::enabled()) metrics::local().transaction_retries.add();
      publish_writes();
      std::vector<Pending> again;
      for (std::size_t i = 0; i < jobs.size(); ++i) {
        if (i == *at_fault) {
          complete(jobs[i], errors[i] ? std::move(errors[i]) : abandoned_error());
        } else if (i < *at_fault && errors[i]) {
          complete(jobs[i], std::move(errors[i]));
        } else {
          again.push_back(std::move(jobs[i]));
        }
      }
      jobs = std::move(again);
      continue;
    }

    std::optional<DatabaseError> commit_error;
    bool storage_full = false;
    try {
      connection_.control(kCommit);
    } catch (const DatabaseError& error) {
      commit_error = error;
      storage_full = dynamic_cast<const StorageFullError*>(&error) != nullptr;
      roll_back_batch();
    } catch (const std::exception& error) {
      commit_error = DatabaseError(fmt::format("COMMIT failed: {}", error.what()));
      roll_back_batch();
    }
    publish_writes();
    if (!commit_error && metrics::enabled()) {
      metrics::local().commit_batch_jobs.observe(jobs.size(), metrics::kBatchBounds);
    }
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      // Each caller gets its own copy of a commit error: callers on different threads must
      // not share one exception object.
      std::exception_ptr error = std::move(errors[i]);
      if (!error && commit_error) {
        error = storage_full ? std::make_exception_ptr(
                                   StorageFullError(commit_error->what(), commit_error->code()))
                             : std::make_exception_ptr(*commit_error);
      }
      complete(jobs[i], std::move(error));
    }
    checkpoint_if_due();
    if (!commit_error) refresh_statistics_if_due();
    co_return;
  }
}

asio::awaitable<std::exception_ptr> Writer::run_job(Pending& pending, bool guarded) {
  if (guarded) {
    try {
      connection_.control(kSavepoint);
    } catch (...) {
      co_return std::current_exception();
    }
  }
  // The job's span, from its queueing to its end, and its statements' spans under it: the
  // writer thread's cell holds it while the job runs (jobs run one at a time on this thread,
  // so the install is not disturbed while a job's coroutine is suspended).
  // An unsampled caller's span stays current too (ids without a recorder), so what the job
  // records of its trace (the outbox rows' traceparent) names the caller's trace either way.
  core::SpanCell cell{pending.span, pending.trace_state};
  core::CellInstall install(&cell);
  core::SpanScope job_span;
  std::chrono::steady_clock::time_point run_started{};
  if (pending.span.sampled() &&
      job_span.start_under(pending.span, cell, "db.write_job", core::SpanKind::kInternal,
                           pending.queued_wall)) {
    run_started = std::chrono::steady_clock::now();
    job_span.set("db.system.name", "sqlite");
    job_span.set("basalt.writer.queue_wait_us",
                 std::chrono::duration_cast<std::chrono::microseconds>(run_started - pending.queued)
                     .count());
    job_span.set("basalt.writer.savepoint", std::int64_t{guarded ? 1 : 0});
  }
  JobTransaction transaction(connection_);
  std::exception_ptr error;
  try {
    co_await pending.job(transaction);
  } catch (...) {
    error = std::current_exception();
  }
  if (job_span.active()) {
    job_span.set("basalt.writer.run_us", std::chrono::duration_cast<std::chrono::microseconds>(
                                             std::chrono::steady_clock::now() - run_started)
                                             .count());
    if (error) job_span.set_error();
    job_span.finish();
  }
  if (!error && connection_.in_transaction() && connection_.has_unresolved_foreign_keys()) {
    // Checked now rather than by COMMIT, where it would fail every job of the batch.
    error = std::make_exception_ptr(ConstraintError(
        "FOREIGN KEY constraint failed (a deferred constraint was still violated at the end "
        "of the write job)",
        SQLITE_CONSTRAINT_FOREIGNKEY, ConstraintKind::kForeignKey, {}, {}));
  }
  if (!connection_.in_transaction()) {
    // SQLite abandoned the whole transaction; a job that swallowed the error still fails.
    if (!error) error = transaction.abandoned_by() ? transaction.abandoned_by() : abandoned_error();
    co_return error;
  }
  if (!guarded) co_return error;  // run_batch undoes the whole round when it failed
  try {
    if (error) connection_.control(kRollbackToSavepoint);
    connection_.control(kRelease);
  } catch (...) {
    // The savepoint cannot be closed as it should; give up the whole transaction rather
    // than commit a job's changes that may be half undone. The batch reruns (invariant 6).
    if (!error) error = std::current_exception();
    roll_back_batch();
  }
  co_return error;
}

void Writer::publish_writes() noexcept {
  WrittenTables written = connection_.take_written();
  bool everything = written.unknown;
  try {
    const std::int64_t version = connection_.schema_version();
    if (version != schema_version_) {
      everything = true;
      // Not at the first publish (-1: the schema as opened).
      if (schema_version_ != -1) schema_changed_ = true;
    }
    schema_version_ = version;
  } catch (const std::exception& error) {
    spdlog::warn("database writer: cannot read the schema version: {}", error.what());
    everything = true;
  }
  try {
    if (everything) {
      versions_.bump_all();
    } else {
      versions_.bump(written.tables);
    }
  } catch (...) {
    // bump() allocates map entries; without them, moving every table is the safe answer.
    versions_.bump_all();
  }
}

void Writer::checkpoint_if_due() noexcept {
  const int pages = connection_.take_wal_pages();
  // A snapshot's reader would make a RESTART wait the whole busy timeout (invariant 10).
  std::unique_lock<std::mutex> deciding;
  if (pages >= wal_.limit_pages) deciding = std::unique_lock(restart_mutex_);
  if (pages >= wal_.limit_pages && restart_holds_.load() == 0) {
    checkpointer_.pause();  // its checkpoint lock would make this one fail at once
    struct Resume {
      Checkpointer& checkpointer;
      ~Resume() { checkpointer.resume(); }
    } resume{checkpointer_};
    try {
      if (!connection_.checkpoint(SQLITE_CHECKPOINT_RESTART)) {
        spdlog::warn(
            "database writer: the WAL holds {} pages and readers kept a checkpoint "
            "from finishing",
            pages);
      }
    } catch (const std::exception& error) {
      spdlog::error("database writer: checkpoint failed: {}", error.what());
    }
  } else if (pages >= wal_.checkpoint_pages) {
    checkpointer_.request();
  }
}

void Writer::refresh_statistics_if_due() noexcept {
  if (statistics_.statements.empty()) return;
  const std::int64_t changed = counted_changes() - changes_at_refresh_;
  const auto now = std::chrono::steady_clock::now();
  const bool due = schema_changed_ || changed >= statistics_.rows ||
                   (changed > 0 && now - refreshed_at_ >= statistics_.interval);
  if (!due) return;
  try {
    connection_.control(kBegin);
    for (const std::string& statement : statistics_.statements) connection_.control(statement);
    // Moves the schema version, so that every connection reloads the statistics.
    connection_.control("CREATE TABLE _basalt_statistics_epoch (x)");
    connection_.control("DROP TABLE _basalt_statistics_epoch");
    connection_.control(kCommit);
  } catch (const std::exception& error) {
    roll_back_batch();
    spdlog::warn("database writer: refreshing planner statistics failed: {}", error.what());
    return;
  }
  publish_writes();  // the schema version moved: cached results are recomputed once
  schema_changed_ = false;
  changes_at_refresh_ = counted_changes();
  refreshed_at_ = now;
}

std::int64_t Writer::counted_changes() const noexcept {
  return connection_.total_changes() - connection_.rows_in_tables_apart();
}

void Writer::roll_back_batch() noexcept {
  if (!connection_.in_transaction()) return;
  try {
    connection_.control(kRollback);
  } catch (const std::exception& error) {
    spdlog::error("database writer: ROLLBACK failed: {}", error.what());
  }
}

}  // namespace basalt::db::sqlite
