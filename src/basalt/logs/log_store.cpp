#include "basalt/logs/log_store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "basalt/core/run_blocking.hpp"
#include "basalt/db/sqlite/sqlite_database.hpp"

namespace basalt::logs {
namespace {

// PocketBase's `_logs` with two of its three indexes: level (filters on level) and the hour of
// created (the stats query's GROUP BY). Both grow at their right edge as entries are appended.
// The hour is `substr(created, 1, 13)` ("2026-01-02 15"), not PocketBase's strftime() of it:
// the same hours, as `created` is always fixed-width datetime text, without parsing a date per
// inserted row (strftime was the writer's costliest function); an index PocketBase's form left
// in the file is replaced.
// PocketBase's third, on message, is dropped (also from files an earlier version created): a
// message embeds the request's URL, so each entry lands on a random leaf page of that index and
// every entry of a batch dirtied a page of its own — measured as most of the writer's cost at
// saturation — while the API's message filters are `~` (LIKE '%…%'), which an index never serves;
// an exact `message = …` filter scans the table instead (bounded by the statement timeout).
constexpr std::string_view kSchema[] = {
    "CREATE TABLE IF NOT EXISTS _logs ("
    "id TEXT PRIMARY KEY DEFAULT ('r'||lower(hex(randomblob(7)))) NOT NULL, "
    "level INTEGER DEFAULT 0 NOT NULL, "
    "message TEXT DEFAULT '' NOT NULL, "
    "data JSON DEFAULT '{}' NOT NULL, "
    "created TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%fZ')) NOT NULL)",
    "CREATE INDEX IF NOT EXISTS idx_logs_level ON _logs (level)",
    "DROP INDEX IF EXISTS idx_logs_message",
    "DROP INDEX IF EXISTS idx_logs_created_hour",
    "CREATE INDEX IF NOT EXISTS idx_logs_created_hour_text ON _logs (substr(created, 1, 13))",
};

// Rows per INSERT statement, largest first: a batch is written as statements of these sizes, so
// at most four statement texts exist (each prepared once, then reused from the connection's
// statement cache) and the largest binds 640 values, under SQLite's oldest limit of 999.
constexpr std::size_t kRowsPerInsert[] = {128, 32, 8, 1};
constexpr std::size_t kColumnsPerRow = 5;

std::string multi_row_insert(const db::Dialect& dialect, std::size_t rows) {
  std::string sql = "INSERT INTO _logs (id, created, level, message, data) VALUES ";
  std::size_t number = 1;
  for (std::size_t row = 0; row < rows; ++row) {
    sql += row == 0 ? "(" : ", (";
    for (std::size_t column = 0; column < kColumnsPerRow; ++column, ++number) {
      if (column > 0) sql += ", ";
      sql += dialect.placeholder(number);
    }
    sql += ")";
  }
  return sql;
}

using core::run_blocking;

boost::asio::awaitable<void> create_schema(db::Database& database) {
  co_await database.write([](db::Transaction& tx) -> boost::asio::awaitable<void> {
    for (std::string_view statement : kSchema) {
      const db::Params none;
      co_await tx.execute(statement, none);
    }
  });
}

}  // namespace

LogStore::LogStore(const LogStoreOptions& options) {
  db::SqliteOptions sqlite;
  sqlite.data_dir = options.data_dir;
  sqlite.file_name = std::string(kLogsFileName);
  sqlite.statement_timeout = options.statement_timeout;
  sqlite.read_threads = options.read_threads;
  sqlite.read_queue = 64;
  sqlite.statistics_rows = 0;  // no planner statistics: the indexes are enough for one table
  // Appends touch the table's and three indexes' last pages again and again: a page cache and a
  // mapping large enough to keep them spare the writer a pread(2) per page (measured: a third
  // of the process's CPU went to reading pages back with SQLite's defaults).
  sqlite.cache_bytes = 32u << 20;
  sqlite.mmap_bytes = 256u << 20;
  database_ = db::open_sqlite(sqlite);
  run_blocking(create_schema(*database_));
  for (std::size_t rows : kRowsPerInsert) {
    insert_sql_.push_back({rows, multi_row_insert(database_->dialect(), rows)});
  }
}

LogStore::~LogStore() = default;

boost::asio::awaitable<void> LogStore::insert(std::vector<LogEntry> entries) {
  if (entries.empty()) co_return;
  co_await database_->write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    std::size_t next = 0;
    db::Params params;
    for (const auto& [rows, sql] : insert_sql_) {
      while (entries.size() - next >= rows) {
        params.clear();
        params.reserve(rows * kColumnsPerRow);
        for (std::size_t end = next + rows; next < end; ++next) {
          LogEntry& entry = entries[next];  // each entry is bound once: its text moves
          params.emplace_back(std::move(entry.id));
          params.emplace_back(std::move(entry.created));
          params.emplace_back(static_cast<std::int64_t>(entry.level));
          params.emplace_back(std::move(entry.message));
          params.emplace_back(std::move(entry.data));
        }
        const std::string_view statement = sql;
        co_await tx.execute(statement, params);
      }
    }
  });
}

boost::asio::awaitable<std::size_t> LogStore::delete_before(std::string created) {
  const std::string sql =
      "DELETE FROM _logs WHERE created <= " + database_->dialect().placeholder(1);
  std::size_t removed = 0;
  co_await database_->write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    const db::ExecResult done = co_await tx.execute(sql, created);
    removed = static_cast<std::size_t>(done.changes);
  });
  co_return removed;
}

boost::asio::awaitable<std::size_t> LogStore::delete_all() {
  const std::string sql = "DELETE FROM _logs";
  std::size_t removed = 0;
  co_await database_->write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    const db::ExecResult done = co_await tx.execute(sql);
    removed = static_cast<std::size_t>(done.changes);
  });
  co_return removed;
}

void insert_blocking(LogStore& store, std::vector<LogEntry> entries) {
  run_blocking(store.insert(std::move(entries)));
}

std::size_t delete_before_blocking(LogStore& store, const std::string& created) {
  return run_blocking(store.delete_before(created));
}

}  // namespace basalt::logs
