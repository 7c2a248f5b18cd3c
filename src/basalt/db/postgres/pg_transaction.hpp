// PgTransaction: the Transaction a write job sees on PostgreSQL (postgres_database.hpp has the
// whole contract). Lives in the job's coroutine frame, on the worker that runs the job, and
// uses the one connection the job was lent.
//
// Invariants:
//  1. BEGIN goes with the first statement; until then nothing is open on the server.
//  2. Every statement but the job's own savepoint statements runs inside SAVEPOINT
//     _basalt_statement: after an SQL error the savepoint is rolled back, the transaction is
//     usable again and only that statement failed.
//  3. Once doomed — the connection broke, a serialization failure or deadlock, or a failure
//     that could not be undone by the statement savepoint — every later statement throws
//     DatabaseError without reaching the server, and the job fails with the first error
//     (or runs again, for a serialization failure or deadlock).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/db/postgres/pg_connection.hpp"
#include "basalt/db/postgres/relation_catalog.hpp"
#include "basalt/db/transaction.hpp"

namespace basalt::db::postgres {

// The statement that opens a write job's transaction.
inline constexpr std::string_view kBeginWrite = "BEGIN ISOLATION LEVEL SERIALIZABLE, READ WRITE";

// Describes `sql`'s result columns through `describe_fields` (prepare and describe) and
// `run_query` (catalog lookups), naming table OIDs through `catalog` and following views
// down to their tables (at most 8 levels).
class ColumnDescriber {
 public:
  virtual ~ColumnDescriber() = default;
  virtual boost::asio::awaitable<std::vector<FieldOrigin>> describe_fields(
      std::string_view sql) = 0;
  virtual boost::asio::awaitable<ResultSet> run_query(std::string_view sql,
                                                      const Params& params) = 0;

  boost::asio::awaitable<std::vector<ColumnOrigin>> origins(std::string_view sql,
                                                            RelationCatalog& catalog,
                                                            int depth = 0);
};

class PgTransaction final : public Transaction, private ColumnDescriber {
 public:
  PgTransaction(PgConnection& connection, RelationCatalog& catalog)
      : connection_(connection), catalog_(catalog) {}

  boost::asio::awaitable<ResultSet> query(std::string_view sql, const Params& params) override;
  boost::asio::awaitable<ExecResult> execute(std::string_view sql, const Params& params) override;
  boost::asio::awaitable<std::vector<ColumnOrigin>> describe(std::string_view sql) override;

  bool began() const noexcept { return began_; }
  // A statement met a serialization failure or deadlock: the job must run again.
  bool must_rerun() const noexcept { return rerun_; }
  // The first error that doomed the transaction (invariant 3), or null.
  std::exception_ptr doomed_by() const noexcept { return doomed_by_; }
  // A statement changed the schema (DDL): every table's version moves after the commit.
  bool changed_schema() const noexcept { return changed_schema_; }

 private:
  boost::asio::awaitable<ResultSet> statement(std::string_view sql, const Params& params,
                                              ExecResult* exec);
  // After a failed statement: undoes its savepoint, or dooms the transaction.
  boost::asio::awaitable<void> recover(std::exception_ptr error, bool savepointed);
  void doom(std::exception_ptr error) noexcept;

  boost::asio::awaitable<std::vector<FieldOrigin>> describe_fields(std::string_view sql) override;
  boost::asio::awaitable<ResultSet> run_query(std::string_view sql, const Params& params) override {
    return query(sql, params);
  }

  PgConnection& connection_;
  RelationCatalog& catalog_;
  bool began_ = false;
  bool rerun_ = false;
  bool changed_schema_ = false;
  std::exception_ptr doomed_by_;
};

}  // namespace basalt::db::postgres
