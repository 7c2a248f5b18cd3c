// SqliteDialect: SQL text as SQLite 3.40 wants it (see Dialect for the contract).
#pragma once

#include "basalt/db/dialect.hpp"

namespace basalt::db {

class SqliteDialect final : public Dialect {
 public:
  std::string_view name() const noexcept override { return "sqlite"; }
  std::string quote_identifier(std::string_view name) const override;
  std::string placeholder(std::size_t index) const override;  // "?1", "?2", ...
  // " ON CONFLICT(key) DO UPDATE SET assignments", "excluded.column", "CAST(e AS INTEGER)".
  std::string on_conflict_update(std::string_view key, std::string_view assignments) const override;
  std::string inserted_value(std::string_view column) const override;
  std::string integer_cast(std::string_view expression) const override;
  std::string integer_as_json(std::string_view expression) const override;
  // "lhs = rhs COLLATE NOCASE" and "expression COLLATE NOCASE" (NOCASE folds ASCII only).
  std::string equals_ignoring_case(std::string_view lhs, std::string_view rhs) const override;
  std::string ignoring_case(std::string_view expression) const override;
  // "" and "rowid": every SQLite table without WITHOUT ROWID numbers its rows.
  std::string insertion_order_column() const override;
  std::string insertion_order() const override;
  // TEXT, INTEGER, REAL, INTEGER (bool as 0/1), TEXT (json), BLOB. JSON is TEXT rather than
  // SQLite's "JSON" so the column gets TEXT affinity: a JSON document "1" stays text "1"
  // instead of being converted to the integer 1.
  std::string_view column_type(ColumnType type) const noexcept override;
  std::string_view column_definition_type(ColumnType type) const noexcept override {
    return column_type(type);
  }
  std::string_view now_expression() const noexcept override;
  std::string_view random_id_expression() const noexcept override;
  std::string to_json_array_expression(std::string_view column) const override;
  std::string json_array_last_expression(std::string_view column) const override;
  std::string json_array_contains_any(std::string_view column,
                                      std::string_view value_list) const override;
  std::vector<std::string> statistics_statements() const override;
  std::vector<std::string> optimize_statements() const override;
  std::string_view skip_locked_clause() const noexcept override;
  std::string_view insert_rows_keyword() const noexcept override { return "INSERT OR FAIL"; }
  bool runs_pocketbase_index_sql() const noexcept override { return true; }
  bool alters_columns_in_place() const noexcept override { return false; }
  std::string_view increasing_key_column() const noexcept override { return "INTEGER PRIMARY KEY"; }
  std::string commit_order_lock(std::string_view) const override { return {}; }
};

}  // namespace basalt::db
