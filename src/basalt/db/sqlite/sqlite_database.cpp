#include "basalt/db/sqlite/sqlite_database.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "basalt/core/blocking_pool.hpp"
#include "basalt/db/database_error.hpp"
#include "basalt/db/sqlite/lock_file.hpp"
#include "basalt/db/sqlite/online_backup.hpp"
#include "basalt/db/sqlite/read_connections.hpp"
#include "basalt/db/sqlite/sqlite_dialect.hpp"
#include "basalt/db/sqlite/writer.hpp"

namespace basalt::db {
namespace {

std::string create_directory(const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    throw DatabaseError(fmt::format("cannot create data directory {}: {}", dir, error.message()));
  }
  return dir;
}

// data.db's Database locks the directory; another file's relies on that lock (see
// SqliteOptions::file_name).
std::unique_ptr<sqlite::LockFile> lock_directory(const SqliteOptions& options) {
  create_directory(options.data_dir);
  if (options.file_name != kDatabaseFileName) return nullptr;
  return std::make_unique<sqlite::LockFile>(options.data_dir);
}

sqlite::StatisticsPolicy statistics_policy(const SqliteOptions& options) {
  sqlite::StatisticsPolicy policy;
  policy.rows = options.statistics_rows;
  policy.interval = options.statistics_interval;
  policy.uncounted_tables = options.statistics_uncounted_tables;
  if (options.statistics_rows > 0) policy.statements = SqliteDialect().statistics_statements();
  return policy;
}

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(const SqliteOptions& options, const sqlite::ConnectionOptions& connection,
                 const std::string& path)
      : path_(path),
        statement_timeout_(options.statement_timeout),
        lock_(lock_directory(options)),
        writer_(path, connection, options.max_batch_jobs, versions_,
                {options.wal_checkpoint_pages, options.wal_limit_pages},
                statistics_policy(options)),
        reads_(sqlite::ReadConnections::create(path, connection)),
        read_pool_({options.read_threads, options.read_queue, metrics::Pool::kRead}) {}

  // Members go in reverse: the read pool first (it fails queued reads with 503 and waits for
  // the running ones, which use reads_), then the readers, then the writer drains its queue
  // and stops, and only then is the directory unlocked.
  ~SqliteDatabase() override = default;

  const Dialect& dialect() const noexcept override { return dialect_; }

  // A full disk is a 507 here, at the one door of each path (a read can need space too, for a
  // temporary sort file).
  boost::asio::awaitable<ResultSet> query(std::string_view sql, const Params& params,
                                          ReadOptions options) override {
    try {
      if (!options.pooled) {
        co_return reads_->for_this_thread().query(sql, params, options.budget);
      }
      // The coroutine is suspended while the pool runs this, so sql and params stay alive.
      co_return co_await read_pool_.run([this, sql, &params, budget = options.budget] {
        return reads_->for_this_thread().query(sql, params, budget);
      });
    } catch (const StorageFullError& error) {
      throw storage_full_error(error);
    }
  }

  ReadSet read_set(std::string_view sql) override {
    return reads_->for_this_thread().read_set(sql);
  }
  std::vector<ColumnOrigin> describe(std::string_view sql) override {
    return reads_->for_this_thread().describe(sql);
  }

  const DataVersions& versions() const noexcept override { return versions_; }

  void copy_snapshot(const std::string& target, const std::function<bool()>& cancelled) override {
    writer_.hold_wal_restarts();  // writer.hpp, invariant 10
    struct Release {
      sqlite::Writer& writer;
      ~Release() { writer.release_wal_restarts(); }
    } release{writer_};
    sqlite::SnapshotOptions options;
    options.busy_timeout = statement_timeout_;
    options.cancelled = cancelled;
    sqlite::copy_snapshot(path_, target, options);
  }

  boost::asio::awaitable<void> write(WriteJob job) override {
    try {
      co_await writer_.submit(std::move(job));
    } catch (const StorageFullError& error) {
      throw storage_full_error(error);
    }
  }

 private:
  const std::string path_;  // data.db, or SqliteOptions::file_name
  const std::chrono::milliseconds statement_timeout_;
  SqliteDialect dialect_;
  DataVersions versions_;                   // bumped by writer_, so created before it
  std::unique_ptr<sqlite::LockFile> lock_;  // null for a file other than data.db
  sqlite::Writer writer_;  // created before the readers: it creates the file and sets WAL
  std::shared_ptr<sqlite::ReadConnections> reads_;
  core::BlockingPool read_pool_;  // its threads read through reads_, each on its own connection
};

}  // namespace

SqliteOptions sqlite_options(const core::Config& config) {
  SqliteOptions options;
  options.data_dir = config.data_dir;
  options.statement_timeout = config.db.statement_timeout;
  options.cache_bytes = config.db.cache_bytes;
  options.mmap_bytes = config.db.mmap_bytes;
  options.trace_statements = config.db.trace_statements;
  // A Config filled by hand (tests) may leave these 0; the settings table gives 2 and 256.
  if (config.db.read_threads > 0) options.read_threads = config.db.read_threads;
  if (config.db.read_queue > 0) options.read_queue = config.db.read_queue;
  return options;
}

std::unique_ptr<Database> open_sqlite(const SqliteOptions& options) {
  if (options.statement_timeout <= std::chrono::milliseconds::zero()) {
    throw std::invalid_argument("SqliteOptions::statement_timeout must be above zero");
  }
  if (options.read_threads == 0) {
    throw std::invalid_argument("SqliteOptions::read_threads must be at least 1");
  }
  sqlite::ConnectionOptions connection;
  connection.statement_timeout = options.statement_timeout;
  connection.cache_bytes = options.cache_bytes;
  connection.mmap_bytes = options.mmap_bytes;
  connection.trace_statements = options.trace_statements;
  connection.statement_cache_capacity = std::max<std::size_t>(options.statement_cache_capacity, 1);
  const std::string path = (std::filesystem::path(options.data_dir) / options.file_name).string();
  return std::make_unique<SqliteDatabase>(options, connection, path);
}

}  // namespace basalt::db
