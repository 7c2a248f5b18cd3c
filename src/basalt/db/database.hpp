// Database: the storage engine as the services see it. Cheap reads run on the calling thread,
// expensive ones on the backend's read pool (ReadOptions); writes are jobs handed to the
// backend's writer (docs/architecture.md). A PostgreSQL driver
// implements the same interface, so no service knows which backend it talks to.
//
// Contract:
// - One statement per call: SQL text with placeholders (Dialect::placeholder) plus Params.
//   Text holding a second statement is refused with DatabaseError.
// - Every statement runs under a time budget; past it the call throws
//   statement_timeout_error() (a 400 core::ApiError); a read may ask for its own budget. Other
//   failures throw DatabaseError or ConstraintError (database_error.hpp).
// - query() and write() may be called from any thread that runs an asio executor, at the
//   same time. The Database must outlive every call in progress.
// - Destruction completes every write already queued (their callers are resumed), then
//   closes the connections. The executors of those callers must still be alive then.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/db/data_versions.hpp"
#include "basalt/db/dialect.hpp"
#include "basalt/db/result_set.hpp"
#include "basalt/db/transaction.hpp"
#include "basalt/db/value.hpp"

namespace basalt::db {

// A unit of writing: a coroutine over the Transaction. It may run more than once (see
// Database::write), so it must derive its effects from what it reads in the transaction, and
// overwrite (not append to) anything it hands back to its caller through captures.
using WriteJob = std::function<boost::asio::awaitable<void>(Transaction&)>;

// Where a read runs and how long it may take.
struct ReadOptions {
  // false: inline on the calling thread, for statements whose cost is bounded by what they
  // look up (a row by id, rows by a list of ids). true: on the read pool, for statements
  // whose cost depends on the data (a filtered, sorted or counted scan), so that a slow one
  // holds a pool thread, never the I/O thread and the other clients it serves.
  bool pooled = false;
  // The statement's time budget; zero means the database's own (db-statement-timeout).
  std::chrono::milliseconds budget{0};
};

class Database {
 public:
  virtual ~Database() = default;

  virtual const Dialect& dialect() const noexcept = 0;

  // Runs one read-only statement inline on the calling thread's own read connection (opened
  // on the thread's first read) and returns its rows. It sees the data committed when it
  // started, never a write job's uncommitted changes; inside a write job use the
  // Transaction instead. A statement that writes is refused with DatabaseError.
  //
  // With options.pooled the statement runs on a read pool thread (on that thread's own read
  // connection) and the awaiting coroutine resumes on its own executor afterwards. A full
  // pool queue (or a pool being stopped) throws core::ApiError 503 without running it.
  virtual boost::asio::awaitable<ResultSet> query(std::string_view sql, const Params& params,
                                                  ReadOptions options) = 0;

  // Inline, with the database's budget.
  boost::asio::awaitable<ResultSet> query(std::string_view sql, const Params& params = {}) {
    return query(sql, params, ReadOptions{});
  }

  // The same with the parameters given as values (see Transaction::execute for why).
  template <Bindable First, Bindable... Rest>
  boost::asio::awaitable<ResultSet> query(std::string_view sql, First first, Rest... rest) {
    const Params params = make_params(std::move(first), std::move(rest)...);
    co_return co_await query(sql, params);
  }

  // Queues `job` for the writer. It runs in a transaction shared with other queued jobs
  // (group commit), its changes undone alone if it fails. The awaiting coroutine resumes on its own
  // executor once the outcome is durable in the backend's sense:
  // - the job returned and the transaction committed: returns normally; its writes are
  //   visible to every read started afterwards;
  // - the job threw: only its own changes are rolled back and its exception is rethrown
  //   here, unchanged (a core::ApiError stays one);
  // - the commit failed: the commit's DatabaseError is rethrown to every job that
  //   succeeded in that transaction.
  // When another job of the same transaction makes the backend abandon the whole
  // transaction, the jobs that had already succeeded in it are run again in a new one;
  // callers see only the final outcome. Calling write() from inside a write job (it would
  // wait for itself) throws DatabaseError.
  virtual boost::asio::awaitable<void> write(WriteJob job) = 0;

  // For caches of read results. read_set() names the tables `sql` reads (prepared, not run,
  // inline on the calling thread; throws DatabaseError for text that does not prepare);
  // versions() moves a table's version after every commit that wrote it, before the writer
  // resumes that commit's callers (DataVersions). A result computed after stamping the
  // versions of its read set may be reused for as long as that stamp is unchanged.
  virtual ReadSet read_set(std::string_view sql) = 0;
  // The result columns of `sql` (prepared, not run, inline on the calling thread's read
  // connection) with the table and column each is read from, traced through subqueries and
  // views; empty table for a computed column. Throws DatabaseError for text that does not
  // prepare. (A view's file field is served from its source collection's record, which this
  // names: docs/files.md, "Serving".)
  virtual std::vector<ColumnOrigin> describe(std::string_view sql) = 0;
  virtual const DataVersions& versions() const noexcept = 0;

  // Many instances on one database (docs/scaling.md). What one commit of this process changed:
  // the tables it wrote rows of (table_key form) and whether it changed the schema.
  struct CommitNotice {
    std::vector<std::string> tables;
    bool schema_changed = false;
  };
  using CommitObserver = std::function<void(const CommitNotice&)>;
  // Calls `observer` after each commit of this process, on the committing thread, before the
  // job's caller resumes; quick, never throws. Set before writes start, cleared after they end.
  // Backends that only one process can open (SQLite) never call it.
  virtual void set_commit_observer(CommitObserver observer) { (void)observer; }
  // A commit another process made: the versions of `tables` move (all of them, and the names
  // of relations are read again, when it changed the schema). May block the calling thread
  // for one round trip on a schema change; never call it on a worker. Any thread.
  virtual void external_commit(const CommitNotice& notice) { (void)notice; }

  // Backups (docs/backups.md): writes a consistent copy of the whole database, as of one
  // commit, into the new file `target` (SQLite: a database file of its own). Writes go on
  // meanwhile and are never held back for it: the copy reads a snapshot through a connection
  // of its own, in steps, checking `cancelled` (when given) between them. Blocking: call it
  // from the blocking pool or a thread of its own, never from an I/O thread or a write job.
  // Throws DatabaseError (`target` exists, I/O, cancelled); a failed copy leaves no file.
  virtual void copy_snapshot(const std::string& target, const std::function<bool()>& cancelled) = 0;
};

}  // namespace basalt::db
