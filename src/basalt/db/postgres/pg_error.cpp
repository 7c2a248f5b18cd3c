#include "basalt/db/postgres/pg_error.hpp"

#include <fmt/format.h>

#include <vector>

#include "basalt/db/database_error.hpp"

namespace basalt::db::postgres {
namespace {

// Enough of a statement to recognise it in a log line.
constexpr std::size_t kMaxSqlInMessage = 300;

std::string_view field(const PGresult* result, int code) {
  const char* value = PQresultErrorField(result, code);
  return value != nullptr ? std::string_view(value) : std::string_view();
}

std::string in_sql(std::string_view sql) {
  if (sql.empty()) return {};
  return fmt::format(" [in: {}{}]", sql.substr(0, kMaxSqlInMessage),
                     sql.size() > kMaxSqlInMessage ? "..." : "");
}

ConstraintKind kind_of(std::string_view state) {
  if (state == "23505") return ConstraintKind::kUnique;
  if (state == "23502") return ConstraintKind::kNotNull;
  if (state == "23503") return ConstraintKind::kForeignKey;
  if (state == "23514") return ConstraintKind::kCheck;
  return ConstraintKind::kOther;
}

bool plain_identifier(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

// The columns of a unique violation's detail, `Key (a, "b c")=(...) already exists.`, when
// each is a plain or quoted column (an expression index names an expression: none then).
std::vector<std::string> key_columns(std::string_view detail) {
  constexpr std::string_view kKey = "Key (";
  if (!detail.starts_with(kKey)) return {};
  detail.remove_prefix(kKey.size());
  const std::size_t end = detail.find(")=(");
  if (end == std::string_view::npos) return {};
  std::string_view list = detail.substr(0, end);
  std::vector<std::string> columns;
  while (!list.empty()) {
    std::string name;
    if (list.front() == '"') {
      std::size_t i = 1;
      for (; i < list.size(); ++i) {
        if (list[i] != '"') {
          name.push_back(list[i]);
        } else if (i + 1 < list.size() && list[i + 1] == '"') {
          name.push_back('"');
          ++i;
        } else {
          break;
        }
      }
      if (i >= list.size()) return {};
      list.remove_prefix(i + 1);
    } else {
      const std::size_t comma = list.find(',');
      name = std::string(list.substr(0, comma));
      if (!plain_identifier(name)) return {};
      list.remove_prefix(comma == std::string_view::npos ? list.size() : comma);
    }
    columns.push_back(std::move(name));
    if (list.starts_with(", ")) {
      list.remove_prefix(2);
    } else if (!list.empty()) {
      return {};
    }
  }
  return columns;
}

}  // namespace

int pack_sqlstate(std::string_view state) noexcept {
  if (state.size() != 5) return 0;
  int packed = 0;
  for (char c : state) {
    int digit = 0;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'A' && c <= 'Z') {
      digit = c - 'A' + 10;
    } else {
      return 0;
    }
    packed = packed * 64 + digit;
  }
  return packed;
}

bool is_retryable(std::string_view state) noexcept {
  return state == sqlstate::kSerializationFailure || state == sqlstate::kDeadlockDetected;
}

bool ends_session(std::string_view state) noexcept {
  return state.starts_with("08") || state == "57P01" || state == "57P02" || state == "57P03";
}

std::string_view sqlstate_of(const PGresult* result) noexcept {
  return result != nullptr ? field(result, PG_DIAG_SQLSTATE) : std::string_view();
}

void throw_result_error(const PGresult* result, std::string_view sql) {
  const std::string_view state = sqlstate_of(result);
  std::string_view message = field(result, PG_DIAG_MESSAGE_PRIMARY);
  if (message.empty() && result != nullptr) message = PQresultErrorMessage(result);
  std::string text =
      fmt::format("PostgreSQL error {}: {}{}", state.empty() ? "-" : state, message, in_sql(sql));
  const int code = pack_sqlstate(state);
  if (state == sqlstate::kQueryCanceled) throw statement_timeout_error();
  if (state == "53100") throw StorageFullError(text, code);
  if (state.starts_with("23")) {
    const ConstraintKind kind = kind_of(state);
    const std::string table(field(result, PG_DIAG_TABLE_NAME));
    std::vector<std::string> columns;
    if (kind == ConstraintKind::kUnique) {
      for (auto& column : key_columns(field(result, PG_DIAG_MESSAGE_DETAIL))) {
        columns.push_back(table.empty() ? column : table + "." + column);
      }
    } else if (kind == ConstraintKind::kNotNull) {
      const std::string_view column = field(result, PG_DIAG_COLUMN_NAME);
      if (!column.empty()) columns.push_back(table + "." + std::string(column));
    }
    throw ConstraintError(std::move(text), code, kind, std::move(columns),
                          std::string(field(result, PG_DIAG_CONSTRAINT_NAME)));
  }
  throw DatabaseError(text, code);
}

std::string connection_message(const PGconn* connection, std::string_view sql) {
  std::string_view message = connection != nullptr ? PQerrorMessage(connection) : "";
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.remove_suffix(1);
  }
  return fmt::format("PostgreSQL connection lost: {}{}", message.empty() ? "no answer" : message,
                     in_sql(sql));
}

}  // namespace basalt::db::postgres
