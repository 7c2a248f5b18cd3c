#include "basalt/db/sqlite/sqlite_dialect.hpp"

#include <stdexcept>

namespace basalt::db {

std::string SqliteDialect::quote_identifier(std::string_view name) const {
  std::string quoted;
  quoted.reserve(name.size() + 2);
  quoted += '"';
  for (char c : name) {
    if (c == '\0') throw std::invalid_argument("an identifier cannot contain a NUL byte");
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

std::string SqliteDialect::placeholder(std::size_t index) const {
  return "?" + std::to_string(index);
}

std::string SqliteDialect::on_conflict_update(std::string_view key,
                                              std::string_view assignments) const {
  return " ON CONFLICT(" + std::string(key) + ") DO UPDATE SET " + std::string(assignments);
}

std::string SqliteDialect::inserted_value(std::string_view column) const {
  return "excluded." + std::string(column);
}

std::string SqliteDialect::integer_cast(std::string_view expression) const {
  return "CAST(" + std::string(expression) + " AS INTEGER)";
}

std::string SqliteDialect::integer_as_json(std::string_view expression) const {
  return std::string(expression);
}

std::string SqliteDialect::equals_ignoring_case(std::string_view lhs, std::string_view rhs) const {
  return std::string(lhs) + " = " + std::string(rhs) + " COLLATE NOCASE";
}

std::string SqliteDialect::ignoring_case(std::string_view expression) const {
  return std::string(expression) + " COLLATE NOCASE";
}

std::string SqliteDialect::insertion_order_column() const {
  return {};
}

std::string SqliteDialect::insertion_order() const {
  return "rowid";
}

std::string_view SqliteDialect::column_type(ColumnType type) const noexcept {
  switch (type) {
    case ColumnType::kText:
    case ColumnType::kJson:
      return "TEXT";
    case ColumnType::kInteger:
    case ColumnType::kBool:
      return "INTEGER";
    case ColumnType::kReal:
      return "REAL";
    case ColumnType::kBlob:
      return "BLOB";
  }
  return "BLOB";  // unreachable: every enumerator is handled above
}

std::string_view SqliteDialect::now_expression() const noexcept {
  return "(strftime('%Y-%m-%d %H:%M:%fZ'))";
}

std::string_view SqliteDialect::random_id_expression() const noexcept {
  // 'r' + 14 hex digits: 15 characters of [a-z0-9], the default id shape.
  return "('r'||lower(hex(randomblob(7))))";
}

std::string SqliteDialect::to_json_array_expression(std::string_view column) const {
  std::string c(column);
  return "CASE WHEN " + c + " IS NULL OR " + c + " = '' THEN '[]' ELSE json_array(" + c + ") END";
}

std::string SqliteDialect::json_array_last_expression(std::string_view column) const {
  // Nested CASEs: SQLite does not promise to short-circuit AND, and json_type() fails on
  // malformed JSON.
  std::string c(column);
  return "CASE WHEN json_valid(" + c + ") THEN CASE WHEN json_type(" + c +
         ") = 'array' THEN COALESCE(json_extract(" + c + ", '$[#-1]'), '') ELSE " + c +
         " END ELSE COALESCE(" + c + ", '') END";
}

std::string SqliteDialect::json_array_contains_any(std::string_view column,
                                                   std::string_view value_list) const {
  // json_each() of malformed JSON is an error, so only valid arrays are opened (nested CASEs
  // for the same reason as above).
  std::string c(column);
  return "(CASE WHEN json_valid(" + c + ") THEN CASE WHEN json_type(" + c +
         ") = 'array' THEN EXISTS (SELECT 1 FROM json_each(" + c + ") WHERE json_each.value IN (" +
         std::string(value_list) + ")) ELSE 0 END ELSE 0 END)";
}

std::vector<std::string> SqliteDialect::statistics_statements() const {
  // analysis_limit makes ANALYZE sample about this many rows per index instead of reading
  // every row: milliseconds on a large table, and the estimates are as good for choosing a
  // plan (SQLite's own recommendation for PRAGMA optimize).
  return {"PRAGMA analysis_limit=1000", "ANALYZE"};
}

std::vector<std::string> SqliteDialect::optimize_statements() const {
  return {"PRAGMA optimize"};
}

std::string_view SqliteDialect::skip_locked_clause() const noexcept {
  return "";
}

}  // namespace basalt::db
