// PostgresDialect: SQL text as PostgreSQL 15 wants it (see Dialect for the contract), written so
// that what the services read back matches what SqliteDialect gives them (docs/postgres.md,
// "Dialect").
//
// Types: json and multi-valued fields are JSONB (so a stored document is always valid JSON);
// bool is BOOLEAN. Parameters travel untyped (the driver lets the server infer each one from
// its context), which is what lets a bound 0/1 fill a BOOLEAN and a bound JSON text a JSONB.
// Case-insensitive comparisons fold ASCII letters only, as SQLite's NOCASE does: lower() under
// the "C" collation leaves every non-ASCII byte as it is, whatever the database's locale.
#pragma once

#include "basalt/db/dialect.hpp"

namespace basalt::db {

class PostgresDialect final : public Dialect {
 public:
  std::string_view name() const noexcept override { return "postgres"; }
  std::string quote_identifier(std::string_view name) const override;
  std::string placeholder(std::size_t index) const override;  // "$1", "$2", ...
  // " ON CONFLICT (key) DO UPDATE SET assignments", "EXCLUDED.column", "CAST(e AS BIGINT)".
  std::string on_conflict_update(std::string_view key, std::string_view assignments) const override;
  std::string inserted_value(std::string_view column) const override;
  std::string integer_cast(std::string_view expression) const override;
  // "to_jsonb(e)".
  std::string integer_as_json(std::string_view expression) const override;
  // "lower((lhs)::text COLLATE "C") = lower((rhs)::text COLLATE "C")" and the key
  // "lower((expression)::text COLLATE "C")": ASCII folding only, byte order.
  std::string equals_ignoring_case(std::string_view lhs, std::string_view rhs) const override;
  std::string ignoring_case(std::string_view expression) const override;
  // A BIGINT identity column "_insertion_order" numbers the rows of the tables that ask for it.
  std::string insertion_order_column() const override;
  std::string insertion_order() const override;
  // TEXT, BIGINT, DOUBLE PRECISION, BOOLEAN, JSONB, BYTEA.
  std::string_view column_type(ColumnType type) const noexcept override;
  // The statement's start time as "2026-08-14 07:16:55.123Z" (SQLite's 'now' is per statement
  // too), and 'r' + 14 hex digits.
  std::string_view now_expression() const noexcept override;
  std::string_view random_id_expression() const noexcept override;
  // Used as `ALTER TABLE ... ALTER COLUMN c TYPE <new type> USING <expression>`: the first takes
  // a TEXT column and gives JSONB, the second takes a JSONB column and gives TEXT.
  std::string to_json_array_expression(std::string_view column) const override;
  std::string json_array_last_expression(std::string_view column) const override;
  // `column` is JSONB; only string items are compared (the listed values are text ids).
  std::string json_array_contains_any(std::string_view column,
                                      std::string_view value_list) const override;
  std::vector<std::string> statistics_statements() const override;
  std::vector<std::string> optimize_statements() const override;
  std::string_view skip_locked_clause() const noexcept override;
  std::string_view insert_rows_keyword() const noexcept override { return "INSERT"; }
  bool runs_pocketbase_index_sql() const noexcept override { return false; }
  bool alters_columns_in_place() const noexcept override { return true; }
};

}  // namespace basalt::db
