// The SQLite backend: open_sqlite() builds a Database over `<data_dir>/data.db`.
//
// What it holds, for the Database's lifetime:
// - `<data_dir>/.lock`, locked (LockFile): a second process — or a second open in this
//   one — gets a clear error instead of a second writer on the same file.
// - One write connection, owned by the writer thread (Writer: group commit), and a
//   checkpointer thread with a connection of its own that copies the WAL back (Checkpointer).
// - One read connection per thread that reads, opened on its first read (ReadConnections):
//   the I/O threads' inline reads, and the read pool's threads (ReadOptions::pooled), which
//   run the expensive reads so that they never hold an I/O thread.
// Pragmas and the time budget are described in connection.cpp / connection.hpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/core/config.hpp"
#include "basalt/db/database.hpp"

namespace basalt::db {

struct SqliteOptions {
  std::string data_dir;  // created if missing
  // The database file in data_dir. Another file than data.db (auxiliary.db, the request logs)
  // is a second, independent Database with its own writer: it takes no lock file, the caller
  // having locked the directory through its data.db Database first.
  std::string file_name = "data.db";
  std::chrono::milliseconds statement_timeout{};  // > 0; setting db-statement-timeout
  std::size_t cache_bytes = 0;                    // per connection; setting db-cache-size
  std::size_t mmap_bytes = 0;                     // per connection, 0 = off; db-mmap-size
  std::size_t statement_cache_capacity = 128;     // prepared statements kept per connection
  std::size_t max_batch_jobs = 256;               // write jobs committed together at most
  // WAL size (pages) after a commit that has the checkpointer thread copy it back, and the
  // size at which the writer does it itself (sqlite/writer.hpp, invariant 9).
  int wal_checkpoint_pages = 1000;
  int wal_limit_pages = 4096;
  // Planner statistics are refreshed after this many rows changed, after a schema change, and
  // at this interval while rows change (sqlite/writer.hpp, invariant 11); 0 rows: never.
  std::int64_t statistics_rows = 10'000;
  std::chrono::seconds statistics_interval{std::chrono::hours(1)};
  // Tables whose rows do not count toward statistics_rows
  // (sqlite::StatisticsPolicy::uncounted_tables): the app names the outbox and the delivery log.
  std::vector<std::string> statistics_uncounted_tables;
  // Setting db-trace-statements (sqlite/connection.hpp).
  bool trace_statements = false;
  unsigned read_threads = 2;     // >= 1; the read pool; setting db-read-threads
  std::size_t read_queue = 256;  // pooled reads waiting for a thread; setting db-read-queue
};

inline constexpr std::string_view kDatabaseFileName = "data.db";

// The options the settings give (`dir` and the db-* settings).
SqliteOptions sqlite_options(const core::Config& config);

// Creates the directory, takes its lock file (data.db only), opens the file (creating it) in WAL
// mode with the pragmas and starts the writer thread. Throws DatabaseError naming the directory
// when any of that fails — "data directory DIR is in use by another basalt process (pid N)" when it
// is locked — and std::invalid_argument for a non-positive statement_timeout or no read threads.
std::unique_ptr<Database> open_sqlite(const SqliteOptions& options);

// Restores (docs/backups.md): why the database file at `path` cannot become data.db — it does
// not open as SQLite, PRAGMA integrity_check reports a problem, or it has no `_collections`
// table — or nullopt when it can. Opens the file read-write (a WAL-mode file needs its shared
// memory file beside it) and closes it again; blocking, and as long as integrity_check takes.
std::optional<std::string> database_file_problem(const std::string& path);

// Restores: the `value` of the `_params` row `id` in the database file at `path` (nullopt when
// there is no such row or it is NULL), read before the file becomes data.db. Opens the file as
// database_file_problem does; throws DatabaseError when it cannot be opened or read.
std::optional<std::string> database_file_param(const std::string& path, std::string_view id);

}  // namespace basalt::db
