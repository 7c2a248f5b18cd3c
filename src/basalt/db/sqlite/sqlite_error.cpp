#include "basalt/db/sqlite/sqlite_error.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <vector>

namespace basalt::db::sqlite {
namespace {

// Enough of a statement to recognise it in a log line.
constexpr std::size_t kMaxSqlInMessage = 300;

ConstraintKind kind_of(int extended_code) {
  switch (extended_code) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return ConstraintKind::kUnique;
    case SQLITE_CONSTRAINT_NOTNULL:
      return ConstraintKind::kNotNull;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return ConstraintKind::kForeignKey;
    case SQLITE_CONSTRAINT_CHECK:
      return ConstraintKind::kCheck;
    default:
      return ConstraintKind::kOther;
  }
}

std::vector<std::string> split_columns(std::string_view list) {
  std::vector<std::string> columns;
  while (!list.empty()) {
    std::size_t comma = list.find(", ");
    columns.emplace_back(list.substr(0, comma));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 2);
  }
  return columns;
}

}  // namespace

ConstraintError constraint_error(int extended_code, std::string_view message, std::string text) {
  constexpr std::string_view kFailed = "constraint failed: ";
  constexpr std::string_view kIndexPrefix = "index '";
  const ConstraintKind kind = kind_of(extended_code);
  std::vector<std::string> columns;
  std::string constraint;
  std::size_t at = message.find(kFailed);
  if (at != std::string_view::npos) {
    std::string_view detail = message.substr(at + kFailed.size());
    if (kind == ConstraintKind::kUnique && detail.starts_with(kIndexPrefix) &&
        detail.ends_with('\'')) {
      detail.remove_prefix(kIndexPrefix.size());
      detail.remove_suffix(1);
      constraint = std::string(detail);
    } else if (kind == ConstraintKind::kUnique || kind == ConstraintKind::kNotNull) {
      columns = split_columns(detail);
    } else {
      constraint = std::string(detail);
    }
  }
  return ConstraintError(std::move(text), extended_code, kind, std::move(columns),
                         std::move(constraint));
}

void throw_error(sqlite3* db, int code, std::string_view sql) {
  std::string_view message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  std::string text = fmt::format("SQLite error {} ({}): {}", code, sqlite3_errstr(code), message);
  if (!sql.empty()) {
    text += fmt::format(" [in: {}{}]", sql.substr(0, kMaxSqlInMessage),
                        sql.size() > kMaxSqlInMessage ? "..." : "");
  }
  if ((code & 0xff) == SQLITE_CONSTRAINT) throw constraint_error(code, message, std::move(text));
  // SQLite reports most ENOSPC writes as SQLITE_FULL, but a failed fsync, truncate or shared
  // memory growth surfaces as an SQLITE_IOERR_* whose errno says the same.
  if ((code & 0xff) == SQLITE_FULL ||
      ((code & 0xff) == SQLITE_IOERR && db != nullptr && sqlite3_system_errno(db) == ENOSPC)) {
    throw StorageFullError(text, code);
  }
  throw DatabaseError(text, code);
}

}  // namespace basalt::db::sqlite
