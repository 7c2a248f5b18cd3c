// Transaction: the statements of one write job (see Database::write).
//
// Contract:
// - Used only inside the write job it was passed to, on the thread that runs that job, and
//   only until the job's coroutine returns. A job sees its own earlier writes and those of
//   the jobs committed before it.
// - Every statement runs under the database's statement time budget (statement_timeout_error
//   past it) and throws DatabaseError / ConstraintError on failure. Catching an error and
//   going on is allowed: only the statement failed. But if the backend had to abandon the
//   whole transaction (SQLite does so for a writing statement that ran out of time, an I/O
//   error or a full disk), every later statement of the job throws DatabaseError and the job
//   fails with the first error, whatever it returns.
// - Transaction control (BEGIN, COMMIT, ROLLBACK) is refused: the job ends by returning
//   (its changes are kept) or by throwing (they are rolled back). Nested SAVEPOINTs with
//   names not starting with "_basalt" are allowed.
// - `sql` and `params` are read when the returned awaitable is awaited: await it in the same
//   full expression that made it (`co_await tx.query(...)`).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string_view>

#include "basalt/db/result_set.hpp"
#include "basalt/db/value.hpp"

namespace basalt::db {

// Where one result column of a query comes from. `table` and `column` name the table column it
// reads directly (as the schema spells them); both are empty for a computed column.
struct ColumnOrigin {
  std::string name;
  std::string table;
  std::string column;
};

struct ExecResult {
  std::int64_t changes = 0;            // rows inserted, updated or deleted by the statement
  std::int64_t last_insert_rowid = 0;  // SQLite's rowid of the last insert (0 on PostgreSQL)
};

class Transaction {
 public:
  virtual ~Transaction() = default;

  // Runs one statement and returns every row it produced (e.g. a SELECT, or a write with
  // RETURNING).
  virtual boost::asio::awaitable<ResultSet> query(std::string_view sql,
                                                  const Params& params = {}) = 0;

  // Runs one statement, discarding any rows, and reports what it changed.
  virtual boost::asio::awaitable<ExecResult> execute(std::string_view sql,
                                                     const Params& params = {}) = 0;

  // Prepares (but does not run) one query and describes its result columns, e.g. to infer
  // a view collection's fields from its SELECT.
  virtual boost::asio::awaitable<std::vector<ColumnOrigin>> describe(std::string_view sql) = 0;

  // The same with the parameters given as values: `co_await tx.execute(sql, email, 42)`.
  // Prefer these inside co_await: GCC 12 rejects `co_await tx.execute(sql, {email, 42})`.
  // The values are copied into the awaitable, so only `sql` must outlive it.
  template <Bindable First, Bindable... Rest>
  boost::asio::awaitable<ResultSet> query(std::string_view sql, First first, Rest... rest) {
    const Params params = make_params(std::move(first), std::move(rest)...);
    co_return co_await query(sql, params);
  }
  template <Bindable First, Bindable... Rest>
  boost::asio::awaitable<ExecResult> execute(std::string_view sql, First first, Rest... rest) {
    const Params params = make_params(std::move(first), std::move(rest)...);
    co_return co_await execute(sql, params);
  }
};

}  // namespace basalt::db
