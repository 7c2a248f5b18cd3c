// LogStore: the request logs' own SQLite database, `auxiliary.db` in the data directory, as
// PocketBase keeps it (docs/observability.md, "Logs API").
//
// The file is a db::Database of its own (SqliteOptions::file_name): its own writer thread,
// read connections and read pool, so writing logs never queues behind (or in front of) a
// record write on data.db's writer. It holds one table, PocketBase's `_logs`:
//   id TEXT PRIMARY KEY, level INTEGER, message TEXT, data JSON, created TEXT
// with PocketBase's indexes on level and on the hour of created (not the one on message: see
// log_store.cpp). Entries are written as multi-row INSERT statements prepared once.
//
// Invariants:
//   1. Only the RequestLogger's thread writes (insert, delete_before); the API reads.
//   2. The store is opened after data.db's Database, which holds the directory's lock, and
//      closed before it.
// Thread safety: every member may be called from any thread that runs an asio executor (the
// awaitables), or from a thread of its own (the blocking helpers).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "basalt/db/database.hpp"

namespace basalt::logs {

inline constexpr std::string_view kLogsFileName = "auxiliary.db";
inline constexpr std::string_view kLogsTable = "_logs";

// One row of `_logs`, as stored.
struct LogEntry {
  std::string id;       // 15 characters of [a-z0-9], as a record id
  std::string created;  // PocketBase's datetime text, "2024-01-02 15:04:05.123Z"
  int level = 0;        // slog's: -4 debug, 0 info, 4 warn, 8 error
  std::string message;
  std::string data;  // a JSON object's text
};

struct LogStoreOptions {
  std::string data_dir;
  std::chrono::milliseconds statement_timeout{5000};
  unsigned read_threads = 1;  // the logs API's filtered scans and stats
};

class LogStore {
 public:
  // Opens (creating) auxiliary.db and its table. Blocking; throws db::DatabaseError.
  explicit LogStore(const LogStoreOptions& options);
  ~LogStore();
  LogStore(const LogStore&) = delete;
  LogStore& operator=(const LogStore&) = delete;

  db::Database& database() noexcept { return *database_; }

  // Inserts `entries` in one write job (one transaction); their text moves into the statements.
  boost::asio::awaitable<void> insert(std::vector<LogEntry> entries);
  // Deletes the entries created at or before `created` (PocketBase's retention); how many.
  boost::asio::awaitable<std::size_t> delete_before(std::string created);
  // Deletes every entry (DELETE /api/logs); how many.
  boost::asio::awaitable<std::size_t> delete_all();

 private:
  std::unique_ptr<db::Database> database_;
  // The multi-row INSERT texts, by rows per statement, largest first; immutable after the
  // constructor, so any thread may read them.
  std::vector<std::pair<std::size_t, std::string>> insert_sql_;
};

// The same as the awaitables above, run to completion on the calling thread (its own
// io_context): for the logger's thread and tests. Rethrow the job's error.
void insert_blocking(LogStore& store, std::vector<LogEntry> entries);
std::size_t delete_before_blocking(LogStore& store, const std::string& created);

}  // namespace basalt::logs
