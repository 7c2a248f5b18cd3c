#include "basalt/db/postgres/pg_transaction.hpp"
#include "basalt/db/statement_span.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "basalt/db/database_error.hpp"
#include "basalt/db/postgres/pg_error.hpp"
#include "basalt/db/postgres/pg_metrics.hpp"
#include "basalt/db/postgres/sql_text.hpp"

namespace basalt::db::postgres {
namespace {

namespace asio = boost::asio;

constexpr int kMaxViewDepth = 8;
constexpr std::string_view kReservedPrefix = "_basalt";

bool reserved_savepoint(std::string_view name) {
  if (name.size() < kReservedPrefix.size()) return false;
  for (std::size_t i = 0; i < kReservedPrefix.size(); ++i) {
    char c = name[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kReservedPrefix[i]) return false;
  }
  return true;
}

std::string shortened(std::string_view sql) {
  return std::string(sql.substr(0, 300)) + (sql.size() > 300 ? "..." : "");
}

bool is_rerun_error(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const DatabaseError& database_error) {
    return database_error.code() == pack_sqlstate(sqlstate::kSerializationFailure) ||
           database_error.code() == pack_sqlstate(sqlstate::kDeadlockDetected);
  } catch (...) {
    return false;
  }
}

}  // namespace

asio::awaitable<std::vector<ColumnOrigin>> ColumnDescriber::origins(std::string_view sql,
                                                                    RelationCatalog& catalog,
                                                                    int depth) {
  const std::vector<FieldOrigin> fields = co_await describe_fields(sql);
  std::set<unsigned> unknown;
  for (const FieldOrigin& field : fields) {
    if (field.table != 0 && !catalog.find(field.table)) unknown.insert(field.table);
  }
  if (!unknown.empty()) {
    std::string list = "{";
    for (unsigned oid : unknown) {
      if (list.size() > 1) list += ',';
      list += std::to_string(oid);
    }
    list += '}';
    const Params params = make_params(std::move(list));
    const ResultSet rows = co_await run_query(kDescribeRelationsSql, params);
    catalog.remember(rows);
  }
  std::vector<ColumnOrigin> columns;
  columns.reserve(fields.size());
  for (const FieldOrigin& field : fields) {
    ColumnOrigin origin{field.name, {}, {}};
    const std::optional<RelationInfo> info =
        field.table != 0 ? catalog.find(field.table) : std::nullopt;
    if (info && info->kind == 'v') {
      // A view's column: where the view's own query reads it from.
      if (depth < kMaxViewDepth && !info->view_sql.empty() && field.column > 0) {
        const int below = depth + 1;
        const std::string& view_sql = info->view_sql;
        const std::vector<ColumnOrigin> inner = co_await origins(view_sql, catalog, below);
        const auto at = static_cast<std::size_t>(field.column - 1);
        if (at < inner.size()) {
          origin.table = inner[at].table;
          origin.column = inner[at].column;
        }
      }
    } else if (info) {
      const auto column = info->columns.find(field.column);
      if (column != info->columns.end()) {
        origin.table = info->name;
        origin.column = column->second;
      }
    }
    columns.push_back(std::move(origin));
  }
  co_return columns;
}

void PgTransaction::doom(std::exception_ptr error) noexcept {
  if (!doomed_by_) doomed_by_ = std::move(error);
}

asio::awaitable<ResultSet> PgTransaction::query(std::string_view sql, const Params& params) {
  co_return co_await statement(sql, params, nullptr);
}

asio::awaitable<ExecResult> PgTransaction::execute(std::string_view sql, const Params& params) {
  ExecResult result;
  co_await statement(sql, params, &result);
  co_return result;
}

asio::awaitable<ResultSet> PgTransaction::statement(std::string_view sql, const Params& params,
                                                    ExecResult* exec) {
  if (doomed_by_) {
    throw DatabaseError(
        "this write job's transaction was abandoned after an earlier error; no further "
        "statements run in it");
  }
  const StatementKind kind = statement_kind(sql);
  if (kind == StatementKind::kControl) {
    throw DatabaseError(
        "transaction control and session settings are not allowed in a write "
        "job: " +
        shortened(sql));
  }
  if (kind == StatementKind::kSavepoint && reserved_savepoint(savepoint_name(sql))) {
    throw DatabaseError("savepoints named _basalt... are reserved: " + shortened(sql));
  }
  if (kind == StatementKind::kSchema) changed_schema_ = true;
  StatementRun how;
  if (!began_) how.begin = kBeginWrite;
  how.savepoint = kind != StatementKind::kSavepoint;
  std::exception_ptr error;
  ResultSet rows;
  core::SpanScope span;  // under the write job's span (postgres_database.cpp)
  start_statement_span(span, sql, "postgresql", "write");
  try {
    const auto started = std::chrono::steady_clock::now();
    rows = co_await connection_.run(sql, params, how, exec);
    postgres_metrics::record_statement(metrics::StatementKind::kWrite, started);
  } catch (...) {
    error = std::current_exception();
    span.set_error();
  }
  span.finish();
  began_ = began_ || connection_.in_transaction();
  if (!error) co_return rows;
  co_await recover(error, how.savepoint);
  std::rethrow_exception(error);
}

asio::awaitable<void> PgTransaction::recover(std::exception_ptr error, bool savepointed) {
  if (connection_.broken()) {
    doom(error);
    co_return;
  }
  if (is_rerun_error(error)) {
    rerun_ = true;
    doom(error);
    co_return;
  }
  // Not in a failed transaction: the statement never reached the server (a bad parameter).
  if (!connection_.in_failed_transaction()) co_return;
  if (!savepointed) {
    // The job's own savepoint statement failed: nothing of ours to roll back to.
    doom(error);
    co_return;
  }
  try {
    std::vector<std::string> undo{"ROLLBACK TO SAVEPOINT _basalt_statement",
                                  "RELEASE SAVEPOINT _basalt_statement"};
    co_await connection_.run_texts(std::move(undo));
  } catch (...) {
    doom(error);
  }
}

asio::awaitable<std::vector<ColumnOrigin>> PgTransaction::describe(std::string_view sql) {
  co_return co_await origins(sql, catalog_);
}

asio::awaitable<std::vector<FieldOrigin>> PgTransaction::describe_fields(std::string_view sql) {
  // Parse errors abort the transaction: the same savepoint as statements get, in round trips
  // of their own (describe is rare: a view collection being saved).
  if (doomed_by_) throw DatabaseError("this write job's transaction was abandoned");
  std::vector<std::string> open;
  if (!began_) open.emplace_back(kBeginWrite);
  open.emplace_back("SAVEPOINT _basalt_statement");
  co_await connection_.run_texts(std::move(open));
  began_ = true;
  std::exception_ptr error;
  std::vector<FieldOrigin> fields;
  try {
    fields = co_await connection_.describe(sql);
  } catch (...) {
    error = std::current_exception();
  }
  if (error) {
    co_await recover(error, true);
    std::rethrow_exception(error);
  }
  std::vector<std::string> close{"RELEASE SAVEPOINT _basalt_statement"};
  co_await connection_.run_texts(std::move(close));
  co_return fields;
}

}  // namespace basalt::db::postgres
