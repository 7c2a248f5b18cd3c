// Connection: one SQLite connection with Basalt's settings, its statement cache and its
// statement time budget.
//
// Contract:
// - Used by one thread at a time (opened with SQLITE_OPEN_NOMUTEX): the writer thread for
//   the kWriter connection, one worker thread for each kReader connection.
// - query()/execute() run exactly one statement (text holding a second one is refused),
//   bind `params` by position, step it to the end, and always leave it reset with no
//   bindings in the cache — also when they throw.
// - Each query()/execute() runs under the time budget: a progress handler stops the
//   statement once `statement_timeout` (or the budget given to that query()) has passed since
//   it started, and the call throws statement_timeout_error(). The connection stays usable.
//   control() has no budget.
// - An authorizer refuses transaction control (BEGIN/COMMIT/ROLLBACK) in query()/execute(),
//   and savepoints named "_basalt..." (any case) — those belong to control(). A reader also
//   refuses every savepoint and every statement that writes: it only reads committed data.
// - A kWriter connection notes the tables its statements write (an update hook, see
//   take_written()); rows changed where the hook cannot see them (a WITHOUT ROWID table, the
//   truncate optimization of a DELETE without WHERE) mark the write as unknown instead.
// - A kWriter connection never checkpoints the WAL on its own: SQLite's auto-checkpoint is
//   replaced by a WAL hook that only notes the WAL's size after each commit (take_wal_pages());
//   the Writer decides who checkpoints (writer.hpp, invariant 9).
// - Not movable: SQLite's callbacks hold its address.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "basalt/db/data_versions.hpp"
#include "basalt/db/result_set.hpp"
#include "basalt/db/sqlite/statement_cache.hpp"
#include "basalt/db/transaction.hpp"
#include "basalt/db/value.hpp"

namespace basalt::db::sqlite {

enum class ConnectionRole { kWriter, kReader };

struct ConnectionOptions {
  std::chrono::milliseconds statement_timeout{};  // > 0
  std::size_t cache_bytes = 0;                    // PRAGMA cache_size
  std::size_t mmap_bytes = 0;                     // PRAGMA mmap_size; 0 = off
  std::size_t statement_cache_capacity = 1;       // >= 1
  // Logs each statement's text as it starts (setting db-trace-statements; connection.cpp).
  bool trace_statements = false;
};

// Prefix of the savepoint names reserved for the writer (see the authorizer above).
inline constexpr std::string_view kReservedSavepointPrefix = "_basalt";

// What the statements of a kWriter connection wrote since the last take_written().
struct WrittenTables {
  std::vector<std::string> tables;  // table_key() names, sorted, unique
  bool unknown = false;             // rows changed in tables the hook could not name
};

class Connection {
 public:
  // Opens the database file at `path` — kWriter creates it and switches it to WAL mode;
  // kReader opens it read-only, so the writer must have created it — and applies the
  // pragmas (documented in connection.cpp). Throws DatabaseError.
  Connection(const std::string& path, ConnectionRole role, const ConnectionOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // One statement; every row it produces. `budget` replaces the connection's statement
  // timeout for this statement when above zero.
  ResultSet query(std::string_view sql, const Params& params,
                  std::chrono::milliseconds budget = std::chrono::milliseconds::zero());
  // One statement; rows are discarded. `changes` counts only rows the statement itself
  // inserted, updated or deleted (0 for DDL); `last_insert_rowid` is meaningful after an
  // INSERT into a rowid table only.
  ExecResult execute(std::string_view sql, const Params& params);
  // One statement, prepared only: its result columns and where they come from.
  std::vector<ColumnOrigin> describe(std::string_view sql);

  // Transaction control by the connection's owner (BEGIN IMMEDIATE, SAVEPOINT _basalt_job,
  // COMMIT, ...): no parameters, no time budget, allowed by the authorizer. Throws
  // DatabaseError.
  void control(std::string_view sql);

  // False in autocommit mode: no transaction is open (or SQLite rolled it back).
  bool in_transaction() const noexcept;

  // True while a deferred foreign key constraint (DEFERRABLE INITIALLY DEFERRED, or any one
  // under PRAGMA defer_foreign_keys) is violated in the open transaction: COMMIT would fail.
  bool has_unresolved_foreign_keys() const noexcept;

  std::size_t cached_statements() const noexcept { return statements_.size(); }

  // kWriter: the tables written since the last call, and forgets them. Rolled-back writes are
  // included (a caller bumping their versions only loses cached results, never keeps a stale
  // one).
  WrittenTables take_written();

  // kWriter: the WAL's size in pages after the last commit since the previous call (0 when
  // nothing was committed since), and forgets it.
  int take_wal_pages() noexcept;

  // kWriter, outside a transaction: sqlite3_wal_checkpoint_v2 in `mode` (SQLITE_CHECKPOINT_*),
  // waiting on readers up to the busy timeout. True when every WAL frame is in the database
  // file; false when readers or another checkpoint kept it from finishing (SQLITE_BUSY).
  // Throws DatabaseError on any other failure.
  bool checkpoint(int mode);

  // PRAGMA schema_version: moves with every schema change (DDL) committed.
  std::int64_t schema_version();

  // Rows inserted, updated or deleted through this connection since it opened
  // (sqlite3_total_changes64), rolled-back ones included.
  std::int64_t total_changes() const noexcept;
  // kWriter: from now on, rows the update hook reports in one of `tables` (exact names) are
  // also counted apart, in rows_in_tables_apart() (writer.hpp, invariant 11).
  void count_apart(std::vector<std::string> tables);
  std::int64_t rows_in_tables_apart() const noexcept { return apart_rows_; }

  // The tables `sql` would read, from SQLite's authorizer while preparing it (not run, not
  // cached): the FROM tables, joins, subqueries and the tables behind views.
  ReadSet read_set(std::string_view sql);

 private:
  class Execution;
  struct Closer {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
  };
  using Clock = std::chrono::steady_clock;

  static int on_progress(void* self) noexcept;
  static void on_update(void* self, int operation, const char* database, const char* table,
                        sqlite3_int64 rowid) noexcept;
  static int on_wal_commit(void* self, sqlite3* db, const char* database, int pages) noexcept;
  static int authorize(void* self, int action, const char* arg1, const char* arg2,
                       const char* database, const char* trigger) noexcept;

  ResultSet run_query(std::string_view sql, const Params& params, std::chrono::milliseconds budget);
  ExecResult run_execute(std::string_view sql, const Params& params);
  // The cached statement for `sql`, prepared on a miss; refuses text with two statements.
  sqlite3_stmt* prepare(std::string_view sql, StatementCache& cache);
  void bind(sqlite3_stmt* statement, std::string_view sql, const Params& params);
  // kWriter: runs `run` and marks the write unknown when it changed more rows than the update
  // hook reported.
  template <typename Run>
  auto tracking_writes(Run run);
  // Runs a statement's pragma text outside any cache and returns the first column of its
  // first row ("" when it returns none).
  std::string pragma(const std::string& sql);

  ConnectionRole role_;
  std::chrono::milliseconds statement_timeout_;
  std::unique_ptr<sqlite3, Closer> db_;
  StatementCache statements_;                              // query() and execute()
  StatementCache control_statements_;                      // control(): a handful of fixed texts
  Clock::time_point deadline_ = Clock::time_point::max();  // of the running statement
  bool timed_out_ = false;    // the progress handler stopped the running statement
  bool in_control_ = false;   // control() is preparing or running its statement
  ReadSet* reads_ = nullptr;  // set while read_set() prepares: the authorizer fills it
  // kWriter: what the update hook saw since take_written(); rows it reported, in total.
  std::vector<std::string> written_;
  bool written_unknown_ = false;
  std::int64_t hooked_rows_ = 0;
  std::vector<std::string> apart_tables_;  // count_apart()
  std::int64_t apart_rows_ = 0;
  int wal_pages_ = 0;  // kWriter: from the WAL hook, until take_wal_pages()
};

}  // namespace basalt::db::sqlite
