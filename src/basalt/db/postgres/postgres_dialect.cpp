#include "basalt/db/postgres/postgres_dialect.hpp"

#include <stdexcept>

namespace basalt::db {
namespace {

// `expression` as text folded to lower case for ASCII letters only: under the "C" collation
// PostgreSQL's lower() maps A-Z and leaves every other byte alone, as SQLite's NOCASE does. The
// cast gives an untyped placeholder a type (a collation cannot apply to `unknown`).
std::string folded(std::string_view expression) {
  return "lower((" + std::string(expression) + ")::text COLLATE \"C\")";
}

}  // namespace

std::string PostgresDialect::quote_identifier(std::string_view name) const {
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

std::string PostgresDialect::placeholder(std::size_t index) const {
  return "$" + std::to_string(index);
}

std::string PostgresDialect::on_conflict_update(std::string_view key,
                                                std::string_view assignments) const {
  return " ON CONFLICT (" + std::string(key) + ") DO UPDATE SET " + std::string(assignments);
}

std::string PostgresDialect::inserted_value(std::string_view column) const {
  return "EXCLUDED." + std::string(column);
}

std::string PostgresDialect::integer_cast(std::string_view expression) const {
  return "CAST(" + std::string(expression) + " AS BIGINT)";
}

std::string PostgresDialect::integer_as_json(std::string_view expression) const {
  return "to_jsonb(" + std::string(expression) + ")";
}

std::string PostgresDialect::equals_ignoring_case(std::string_view lhs,
                                                  std::string_view rhs) const {
  return folded(lhs) + " = " + folded(rhs);
}

std::string PostgresDialect::ignoring_case(std::string_view expression) const {
  return folded(expression);
}

std::string PostgresDialect::insertion_order_column() const {
  return "\"_insertion_order\" BIGINT GENERATED ALWAYS AS IDENTITY";
}

std::string PostgresDialect::insertion_order() const {
  return "\"_insertion_order\"";
}

std::string_view PostgresDialect::column_type(ColumnType type) const noexcept {
  switch (type) {
    case ColumnType::kText:
      return "TEXT";
    case ColumnType::kJson:
      return "JSONB";
    case ColumnType::kInteger:
      return "BIGINT";
    case ColumnType::kBool:
      return "BOOLEAN";
    case ColumnType::kReal:
      return "DOUBLE PRECISION";
    case ColumnType::kBlob:
      return "BYTEA";
  }
  return "BYTEA";  // unreachable: every enumerator is handled above
}

std::string_view PostgresDialect::column_definition_type(ColumnType type) const noexcept {
  // "C": byte order, as SQLite's BINARY, whatever the database's locale. The filter printer
  // compares and sorts text COLLATE "C"; an index on a column of another collation cannot
  // serve that ORDER BY or range, and the planner cannot use its statistics for it.
  if (type == ColumnType::kText) return "TEXT COLLATE \"C\"";
  return column_type(type);
}

std::string_view PostgresDialect::text_columns_to_retype_query() const noexcept {
  // Tables (not views) of the first schema of the search_path, where Basalt creates them.
  return "SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
         "WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) "
         "AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped "
         "AND a.atttypid = 'text'::regtype AND a.attcollation <> (SELECT oid FROM pg_collation "
         "WHERE collname = 'C' AND collnamespace = 'pg_catalog'::regnamespace) "
         "ORDER BY c.relname, a.attnum";
}

std::string_view PostgresDialect::now_expression() const noexcept {
  // to_char's MS is the milliseconds, zero-padded, as SQLite's %f gives them after the seconds.
  return "(to_char(statement_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') || 'Z')";
}

std::string_view PostgresDialect::random_id_expression() const noexcept {
  // 'r' + 14 hex digits: 15 characters of [a-z0-9], the default id shape. gen_random_uuid()
  // is built in since PostgreSQL 13; its 13th hex digit is the fixed version nibble, skipped.
  return "('r' || substr(replace(gen_random_uuid()::text, '-', ''), 1, 12) || "
         "substr(replace(gen_random_uuid()::text, '-', ''), 14, 2))";
}

std::string PostgresDialect::to_json_array_expression(std::string_view column) const {
  std::string c(column);
  return "CASE WHEN " + c + " IS NULL OR " + c + " = '' THEN '[]'::jsonb ELSE jsonb_build_array(" +
         c + ") END";
}

std::string PostgresDialect::json_array_last_expression(std::string_view column) const {
  // The last item as SQLite's json_extract() gives it and a TEXT column stores it: a string
  // unquoted, true/false as 1/0, a number or a nested document as JSON text, '' for an empty
  // array or a JSON null. A document that is no array is kept as its JSON text.
  std::string c(column);
  const std::string last = "(" + c + " -> -1)";
  return "CASE WHEN jsonb_typeof(" + c + ") = 'array' THEN CASE jsonb_typeof(" + last +
         ") WHEN 'boolean' THEN CASE WHEN " + last + " = 'true'::jsonb THEN '1' ELSE '0' END " +
         "ELSE COALESCE(" + c + " ->> -1, '') END ELSE COALESCE(" + c + "::text, '') END";
}

std::string PostgresDialect::json_array_contains_any(std::string_view column,
                                                     std::string_view value_list) const {
  // CASE, not AND: PostgreSQL does not promise to evaluate AND left to right, and
  // jsonb_array_elements() of a non-array is an error.
  std::string c(column);
  return "(CASE WHEN jsonb_typeof(" + c +
         ") = 'array' THEN EXISTS (SELECT 1 FROM jsonb_array_elements(" + c +
         ") AS __item(v) WHERE jsonb_typeof(__item.v) = 'string' AND (__item.v #>> '{}') IN (" +
         std::string(value_list) + ")) ELSE FALSE END)";
}

std::vector<std::string> PostgresDialect::statistics_statements() const {
  // PostgreSQL samples a bounded number of rows per table already (default_statistics_target).
  return {"ANALYZE"};
}

std::vector<std::string> PostgresDialect::optimize_statements() const {
  return {"ANALYZE"};
}

std::string_view PostgresDialect::skip_locked_clause() const noexcept {
  return " FOR UPDATE SKIP LOCKED";
}

}  // namespace basalt::db
