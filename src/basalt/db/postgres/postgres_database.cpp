#include "basalt/db/postgres/postgres_database.hpp"
#include "basalt/db/statement_span.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <random>
#include <stdexcept>
#include <unordered_map>

#include "basalt/core/api_error.hpp"
#include "basalt/db/database_error.hpp"
#include "basalt/db/postgres/pg_error.hpp"
#include "basalt/db/postgres/pg_metrics.hpp"
#include "basalt/db/postgres/pg_pool.hpp"
#include "basalt/db/postgres/pg_session.hpp"
#include "basalt/db/postgres/pg_transaction.hpp"
#include "basalt/db/postgres/relation_catalog.hpp"
#include "basalt/db/postgres/sql_text.hpp"

namespace basalt::db {
namespace {

namespace asio = boost::asio;
using namespace postgres;

// The tables the open transaction changed rows of (its own statements, triggers and cascades).
// Only the session's schemas: the view pg_stat_xact_user_tables reads every table of the
// database and costs ten times as much to plan and run.
constexpr std::string_view kWrittenTablesSql =
    "SELECT c.relname::text FROM pg_catalog.pg_class c "
    "WHERE c.relkind IN ('r', 'p') AND c.relnamespace IN (SELECT n.oid FROM "
    "pg_catalog.pg_namespace n WHERE n.nspname = ANY (pg_catalog.current_schemas(false))) "
    "AND pg_catalog.pg_stat_get_xact_tuples_inserted(c.oid) + "
    "pg_catalog.pg_stat_get_xact_tuples_updated(c.oid) + "
    "pg_catalog.pg_stat_get_xact_tuples_deleted(c.oid) > 0";

// Database::describe() answers kept at most (one per view collection, in practice).
constexpr std::size_t kMaxDescribed = 1024;

core::ApiError busy_error() {
  return core::ApiError(503, "The database is busy; try again.");
}

// Database::describe() is synchronous: it drives a connection of its own on a private
// io_context, on the calling thread, one caller at a time.
class SideDescriber final : public ColumnDescriber {
 public:
  explicit SideDescriber(PgConnection& connection) : connection_(connection) {}
  asio::awaitable<std::vector<FieldOrigin>> describe_fields(std::string_view sql) override {
    return connection_.describe(sql);
  }
  asio::awaitable<ResultSet> run_query(std::string_view sql, const Params& params) override {
    const StatementRun plain;
    return connection_.run(sql, params, plain);
  }

 private:
  PgConnection& connection_;
};

ResultSet load_relations(const ConnectionSettings& settings);

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(const PostgresOptions& options, std::shared_ptr<const Dialect> dialect,
                   std::shared_ptr<const ConnectionSettings> settings, const ResultSet& relations)
      : dialect_(std::move(dialect)),
        settings_(settings),
        max_write_attempts_(std::max(options.max_write_attempts, 1)),
        pools_(std::make_shared<PoolDirectory>(settings, options.pool)) {
    catalog_.replace(relations);
  }

  // No call is in progress (the Database contract): every pool's idle connections close now.
  ~PostgresDatabase() override {
    pools_->close();
    std::lock_guard lock(side_mutex_);
    side_.reset();
  }

  const Dialect& dialect() const noexcept override { return *dialect_; }
  const DataVersions& versions() const noexcept override { return versions_; }

  asio::awaitable<ResultSet> query(std::string_view sql, const Params& params,
                                   ReadOptions options) override {
    const StatementKind kind = statement_kind(sql);
    if (kind != StatementKind::kRead && kind != StatementKind::kWrite &&
        kind != StatementKind::kSchema) {
      throw DatabaseError("a read may not control transactions or the session: " +
                          std::string(sql.substr(0, 300)));
    }
    StatementRun how;
    how.budget = options.budget;
    // A connection taken from the idle list may have been lost since its health check (the
    // server went away meanwhile): a read is run again once on a fresh connection.
    for (int attempt = 0;; ++attempt) {
      Lease lease = co_await lend();
      std::exception_ptr error;
      core::SpanScope span;  // the statement's, under the caller's current span
      start_statement_span(span, sql, "postgresql", "read");
      try {
        const auto started = std::chrono::steady_clock::now();
        ResultSet rows = co_await lease->run(sql, params, how);
        postgres_metrics::record_statement(metrics::StatementKind::kRead, started);
        co_return rows;
      } catch (const StorageFullError& full) {
        throw storage_full_error(full);
      } catch (...) {
        error = std::current_exception();
      }
      // Not after the client's own deadline (the server is there but does not answer), nor
      // after the caller cancelled the read (which also ends its connection).
      const asio::cancellation_state cancellation = co_await asio::this_coro::cancellation_state;
      const bool cancelled = cancellation.cancelled() != asio::cancellation_type::none;
      if (attempt > 0 || !lease->broken() || lease->timed_out() || cancelled) {
        std::rethrow_exception(error);
      }
    }
  }

  asio::awaitable<void> write(WriteJob job) override {
    // The job's span: every attempt and its statements under it, on the caller's coroutine
    // (the connection's span cell goes along across the socket waits).
    core::SpanScope job_span;
    if (job_span.start("db.write_job")) job_span.set("db.system.name", "postgresql");
    for (int attempt = 1;; ++attempt) {
      if (attempt > 1) job_span.set("basalt.writer.rerun", std::int64_t{attempt});
      Lease lease = co_await lend();
      PgTransaction tx(*lease, catalog_);
      std::exception_ptr job_error;
      try {
        co_await job(tx);
      } catch (...) {
        job_error = std::current_exception();
      }
      if (tx.must_rerun() || job_error || tx.doomed_by()) {
        co_await roll_back(*lease);
        if (tx.must_rerun()) {
          postgres_metrics::count_rerun();
          if (attempt >= max_write_attempts_) throw busy_error();
          co_await pause_before_rerun(attempt);
          continue;
        }
        if (tx.changed_schema()) schema_changed_after_rollback();
        // The job fails with the error that doomed its transaction, whatever it returned.
        rethrow_storage_full(tx.doomed_by() ? tx.doomed_by() : job_error);
      }
      if (!tx.began()) co_return;  // the job ran no statement
      std::vector<std::string> commit{std::string(kWrittenTablesSql)};
      if (tx.changed_schema()) commit.emplace_back(kListRelationsSql);
      commit.emplace_back("COMMIT");
      std::exception_ptr commit_error;
      std::vector<ResultSet> results;
      try {
        results = co_await lease->run_texts(std::move(commit));
      } catch (...) {
        commit_error = std::current_exception();
      }
      if (commit_error) {
        const bool rerun = is_rerun(commit_error) && !lease->broken();
        co_await roll_back(*lease);
        if (tx.changed_schema()) schema_changed_after_rollback();
        if (rerun && attempt < max_write_attempts_) {
          co_await pause_before_rerun(attempt);
          continue;
        }
        if (rerun) throw busy_error();
        rethrow_storage_full(commit_error);
      }
      published(tx, results);
      co_return;
    }
  }

  void set_commit_observer(CommitObserver observer) override {
    commit_observer_ = std::move(observer);
  }

  // Another instance's commit (docs/scaling.md). A schema change reads the relation names
  // again on a session of its own (blocking: the caller is the cluster bus's thread).
  void external_commit(const CommitNotice& notice) override {
    if (notice.schema_changed) {
      const ResultSet relations = load_relations(*settings_);
      catalog_.replace(relations);
      catalog_.clear_descriptions();
      schema_epoch_.fetch_add(1, std::memory_order_acq_rel);
      versions_.bump_all();
      return;
    }
    if (!notice.tables.empty()) versions_.bump(notice.tables);
  }

  ReadSet read_set(std::string_view sql) override { return catalog_.read_set(identifiers(sql)); }

  // Blocks the calling thread on a miss (postgres_database.hpp); answers are kept per text
  // until the next schema change, so a view's file is looked up once, not per request.
  std::vector<ColumnOrigin> describe(std::string_view sql) override {
    std::lock_guard lock(side_mutex_);
    const std::uint64_t epoch = schema_epoch_.load(std::memory_order_acquire);
    if (epoch != described_epoch_) {
      described_.clear();
      described_epoch_ = epoch;
    }
    if (const auto found = described_.find(std::string(sql)); found != described_.end()) {
      return found->second;
    }
    side_context_.restart();
    auto done = asio::co_spawn(side_context_, describe_on_side(std::string(sql)), asio::use_future);
    side_context_.run();
    std::vector<ColumnOrigin> columns = done.get();
    if (described_.size() >= kMaxDescribed) described_.clear();
    described_.emplace(std::string(sql), columns);
    return columns;
  }

  void copy_snapshot(const std::string& /*target*/,
                     const std::function<bool()>& /*cancelled*/) override {
    throw DatabaseError(
        "database snapshots (backups) are not supported on PostgreSQL; use pg_dump");
  }

 private:
  asio::awaitable<Lease> lend() {
    const asio::any_io_executor executor = co_await asio::this_coro::executor;
    std::shared_ptr<WorkerPool> pool = pools_->pool_for(executor);
    Lease lease = co_await pool->lend();
    lease->follow_schema(schema_epoch_.load(std::memory_order_acquire));
    co_return lease;
  }

  static bool is_rerun(const std::exception_ptr& error) {
    try {
      std::rethrow_exception(error);
    } catch (const DatabaseError& database_error) {
      return database_error.code() == pack_sqlstate(sqlstate::kSerializationFailure) ||
             database_error.code() == pack_sqlstate(sqlstate::kDeadlockDetected);
    } catch (...) {
      return false;
    }
  }

  // Rethrows `error`; a full disk as the 507 a client can act on, as on SQLite.
  [[noreturn]] static void rethrow_storage_full(const std::exception_ptr& error) {
    try {
      std::rethrow_exception(error);
    } catch (const StorageFullError& full) {
      throw storage_full_error(full);
    }
  }

  // Ends the transaction on `connection`, if one is open; a connection where that fails is
  // broken and is closed when its lease ends.
  static asio::awaitable<void> roll_back(PgConnection& connection) {
    if (connection.broken() || !connection.in_transaction()) co_return;
    try {
      std::vector<std::string> rollback{"ROLLBACK"};
      co_await connection.run_texts(std::move(rollback));
    } catch (const std::exception& error) {
      spdlog::warn("database: ROLLBACK failed: {}", error.what());
    }
  }

  // A short, random pause before a rerun, longer with each attempt, so that two jobs that
  // collided do not collide again in step.
  asio::awaitable<void> pause_before_rerun(int attempt) {
    thread_local std::minstd_rand random(std::random_device{}());
    std::uniform_int_distribution<int> spread(1, 5 * attempt);
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(std::chrono::milliseconds(spread(random)));
    boost::system::error_code ignored;
    auto token = asio::redirect_error(asio::use_awaitable, ignored);
    co_await timer.async_wait(token);
  }

  // After the COMMIT and before the job's caller resumes (DataVersions invariant 3).
  void published(const PgTransaction& tx, const std::vector<ResultSet>& results) {
    CommitNotice notice;
    for (auto row : results.at(0)) notice.tables.push_back(table_key(row.as_text(0)));
    std::sort(notice.tables.begin(), notice.tables.end());
    notice.tables.erase(std::unique(notice.tables.begin(), notice.tables.end()),
                        notice.tables.end());
    notice.schema_changed = tx.changed_schema();
    if (notice.schema_changed) {
      catalog_.replace(results.at(1));
      catalog_.clear_descriptions();
      schema_epoch_.fetch_add(1, std::memory_order_acq_rel);
      versions_.bump_all();
    } else if (!notice.tables.empty()) {
      versions_.bump(notice.tables);
    }
    if (commit_observer_ && (notice.schema_changed || !notice.tables.empty())) {
      commit_observer_(notice);
    }
  }

  // DDL is transactional on PostgreSQL, but a rolled-back schema change may still have left
  // connections with plans over it: they prepare their statements again.
  void schema_changed_after_rollback() {
    catalog_.clear_descriptions();
    schema_epoch_.fetch_add(1, std::memory_order_acq_rel);
  }

  asio::awaitable<std::vector<ColumnOrigin>> describe_on_side(std::string sql) {
    if (!side_ || !side_->usable()) {
      side_.reset();
      side_ = co_await PgConnection::open(settings_);
    }
    side_->follow_schema(schema_epoch_.load(std::memory_order_acquire));
    SideDescriber describer(*side_);
    co_return co_await describer.origins(sql, catalog_);
  }

  std::shared_ptr<const Dialect> dialect_;
  std::shared_ptr<const ConnectionSettings> settings_;
  const int max_write_attempts_;
  DataVersions versions_;
  CommitObserver commit_observer_;  // set before writes start, then only read
  RelationCatalog catalog_;
  std::atomic<std::uint64_t> schema_epoch_{0};
  std::shared_ptr<PoolDirectory> pools_;
  // describe(): the side connection and its io_context, used under side_mutex_.
  std::mutex side_mutex_;
  asio::io_context side_context_{1};
  std::unique_ptr<PgConnection> side_;  // after side_context_: its socket is registered there
  std::unordered_map<std::string, std::vector<ColumnOrigin>> described_;  // under side_mutex_
  std::uint64_t described_epoch_ = 0;                                     // under side_mutex_
};

// Blocking: the first connection, at startup.
ResultSet load_relations(const ConnectionSettings& settings) {
  const PgSession session = open_session(settings);
  const ResultSet rows = exec(session.get(), kListRelationsSql);
  std::vector<Value> cells;
  for (auto row : rows) {
    cells.emplace_back(std::string(row.as_text(0)));
    cells.emplace_back(std::string(row.as_text(1)));
  }
  return ResultSet({"relname", "relkind"}, std::move(cells));
}

}  // namespace

PostgresOptions postgres_options(const core::Config& config, std::string url) {
  PostgresOptions options;
  options.url = std::move(url);
  options.statement_timeout = config.db.statement_timeout;
  // A Config filled by hand (tests) may leave these 0; the settings table gives 4 and 256.
  if (config.db.pool_size > 0) options.pool.max_connections = config.db.pool_size;
  if (config.db.read_queue > 0) options.pool.max_waiters = config.db.read_queue;
  // A waiter gives up when a statement holding the connection could have run to its end.
  if (config.db.statement_timeout > std::chrono::milliseconds::zero()) {
    options.pool.wait_timeout = config.db.statement_timeout;
  }
  return options;
}

std::unique_ptr<Database> open_postgres(const PostgresOptions& options,
                                        std::shared_ptr<const Dialect> dialect) {
  if (options.statement_timeout <= std::chrono::milliseconds::zero()) {
    throw std::invalid_argument("PostgresOptions::statement_timeout must be above zero");
  }
  if (options.pool.max_connections == 0) {
    throw std::invalid_argument("PostgresOptions::pool.max_connections must be at least 1");
  }
  if (!dialect) throw std::invalid_argument("open_postgres needs a dialect");
  ConnectionSettings settings = connection_settings(options.url, options.statement_timeout);
  settings.connect_timeout = options.connect_timeout;
  settings.statement_cache_capacity = std::max<std::size_t>(options.statement_cache_capacity, 1);
  auto shared = std::make_shared<const ConnectionSettings>(std::move(settings));
  const ResultSet relations = load_relations(*shared);
  return std::make_unique<PostgresDatabase>(options, std::move(dialect), shared, relations);
}

}  // namespace basalt::db
