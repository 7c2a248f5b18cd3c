// Dialect: everything about SQL text that differs between SQLite and PostgreSQL. It is the
// only place that knows one from the other (docs/architecture.md); code that builds SQL (schema
// DDL, the filter emitter) asks it instead of branching on the backend.
//
// Contract: SQL text is built from identifiers (quoted here) and placeholders only; values
// always travel as bound Params. Implementations are immutable and thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace basalt::db {

// The logical column types that collections and system tables use.
enum class ColumnType { kText, kInteger, kReal, kBool, kJson, kBlob };

class Dialect {
 public:
  virtual ~Dialect() = default;

  // "sqlite" or "postgres", for logs and for the rare test that must tell them apart.
  virtual std::string_view name() const noexcept = 0;

  // `name` as a quoted identifier: wrapped in double quotes, embedded quotes doubled
  // (`na"me` -> `"na""me"`), so any text is safe as a table or column name. Throws
  // std::invalid_argument for a name containing a NUL byte, which no backend accepts.
  virtual std::string quote_identifier(std::string_view name) const = 0;

  // The placeholder of the `index`th parameter, 1-based: "?1" on SQLite, "$1" on PostgreSQL.
  // Numbered on both so that reusing a number binds the same value in either dialect.
  virtual std::string placeholder(std::size_t index) const = 0;

  // Appended to `INSERT INTO t (...) VALUES (...)`, makes it an insert-or-update: when a row
  // with the inserted `key` (a quoted identifier of a unique column) exists, that row gets
  // `assignments` (a SET list such as `"value" = ` + inserted_value("\"value\"")) instead.
  virtual std::string on_conflict_update(std::string_view key,
                                         std::string_view assignments) const = 0;
  // Within on_conflict_update's assignments: the value the INSERT proposed for `column` (a
  // quoted identifier); a bare column name there reads the existing row.
  virtual std::string inserted_value(std::string_view column) const = 0;
  // `expression` (text holding a decimal integer) as a 64-bit integer.
  virtual std::string integer_cast(std::string_view expression) const = 0;
  // `expression` (a 64-bit integer) as the value of a ColumnType::kJson column, a JSON number:
  // SQLite stores it as it is; PostgreSQL's JSONB takes no integer without a conversion.
  virtual std::string integer_as_json(std::string_view expression) const = 0;

  // Comparisons that ignore the case of ASCII letters only (other bytes compare exactly), as
  // PocketBase's lookups of emails, collection names and custom ids do. `lhs` and `rhs` are SQL
  // expressions (quoted identifiers, placeholders).
  // The condition `lhs = rhs`, ignoring case.
  virtual std::string equals_ignoring_case(std::string_view lhs, std::string_view rhs) const = 0;
  // `expression` as a key that GROUP BY, ORDER BY and an index column compare ignoring case.
  virtual std::string ignoring_case(std::string_view expression) const = 0;

  // Rows read back in the order they were inserted (the `_collections` store): such a table
  // lists insertion_order_column() after its columns (empty where every table numbers its rows
  // already, as SQLite's rowid does) and sorts by the expression insertion_order().
  virtual std::string insertion_order_column() const = 0;
  virtual std::string insertion_order() const = 0;

  // The type name of a logical type, as a CAST spells it.
  virtual std::string_view column_type(ColumnType type) const noexcept = 0;
  // The type of a column Basalt creates (CREATE TABLE, ADD COLUMN, ALTER COLUMN ... TYPE):
  // column_type() plus what the dialect needs for the stored values to compare and sort as
  // the filter printer's SQL does (PostgreSQL: text in the "C" collation, byte order as
  // SQLite's BINARY, so indexes on such columns serve the printed comparisons and ORDER BY).
  virtual std::string_view column_definition_type(ColumnType type) const noexcept = 0;
  // A query listing (table, column) of the text columns of this database's tables that are not
  // of column_definition_type(kText): columns of a database made before it changed, which a
  // one-time migration re-types (docs/postgres.md, "Collation and key order"). Empty where
  // column_definition_type() is column_type() (nothing to re-type).
  virtual std::string_view text_columns_to_retype_query() const noexcept { return {}; }

  // DEFAULT expressions for DDL (parenthesised where the dialect needs it): the current UTC
  // time as PocketBase datetime text ("2026-08-14 07:16:55.123Z"), and a random record id
  // (a last resort for rows inserted by raw SQL; the services always set ids themselves).
  virtual std::string_view now_expression() const noexcept = 0;
  virtual std::string_view random_id_expression() const noexcept = 0;

  // Value-shape conversions used when a table is rebuilt because a select/relation/file field
  // switched between one value and many. `column` is an already quoted identifier.
  // One -> many: '' or NULL becomes '[]', any other text v becomes '["v"]'.
  virtual std::string to_json_array_expression(std::string_view column) const = 0;
  // Many -> one: the last element of a JSON array ('' for an empty array); a value that is not
  // a JSON array is kept as it is ('' for NULL).
  virtual std::string json_array_last_expression(std::string_view column) const = 0;
  // A condition true when the JSON array in `column` (quoted identifier) holds any of the
  // values `value_list` names (a comma-separated list of placeholders). Not-array and
  // malformed values hold nothing. Used for multi-value relations (back-relations, cascades).
  virtual std::string json_array_contains_any(std::string_view column,
                                              std::string_view value_list) const = 0;
  // The statements that refresh the query planner's statistics over every table, run in one
  // write job (SQLite: a bounded ANALYZE; PostgreSQL: ANALYZE). Without statistics SQLite
  // picks indexes by rule of thumb, e.g. filtering 10% of a table through one index and
  // sorting it instead of walking the index that already has the order.
  virtual std::vector<std::string> statistics_statements() const = 0;
  // The daily maintenance of the planner's statistics (the __pbDBOptimize__ cron job,
  // docs/jobs.md), run in one write job. SQLite: `PRAGMA optimize` (re-analyzes only the
  // tables whose statistics look stale); PostgreSQL: `ANALYZE`.
  virtual std::vector<std::string> optimize_statements() const = 0;
  // Appended to a SELECT inside a write job that is about to update the rows it read, so that
  // concurrent transactions of other instances take different rows instead of waiting
  // (a queue's claim, docs/jobs.md). PostgreSQL: ` FOR UPDATE SKIP LOCKED`; SQLite: empty
  // (its single writer already serialises every write transaction).
  virtual std::string_view skip_locked_clause() const noexcept = 0;
  // The start of a multi-row INSERT (`... INTO "t" (...) VALUES (...), (...)`) whose caller
  // abandons its whole transaction when the statement fails: a failing row may then keep the
  // rows before it, so the statement keeps no undo log of its own. SQLite: `INSERT OR FAIL`,
  // which spares the statement journal a plain multi-row INSERT writes every changed page
  // to; PostgreSQL: `INSERT` (a failure ends the transaction anyway).
  virtual std::string_view insert_rows_keyword() const noexcept = 0;
  // Whether a collection's index statements run as PocketBase writes them (backtick-quoted
  // names, `COLLATE NOCASE`); where not, the collections module rewrites them in standard SQL
  // through quote_identifier() and ignoring_case() (an expression index for NOCASE).
  virtual bool runs_pocketbase_index_sql() const noexcept = 0;
  // Whether ALTER TABLE can drop a column and change its type, default and nullability in
  // place (`ALTER COLUMN ... TYPE ... USING`), so a schema change needs no table rebuild.
  virtual bool alters_columns_in_place() const noexcept = 0;
  // The column definition of a 64-bit key the database numbers itself, each insert above every
  // number present. Whether a number can come back once the row with the highest one is
  // deleted differs: SQLite's rowid then gives it again (its AUTOINCREMENT would not, at the
  // price of a read and a write of `sqlite_sequence` per insert, which doubled the cost of an
  // outbox row); PostgreSQL's identity never does. So a table with such a key never deletes its
  // newest row (the outbox's sequence, docs/events.md "Retention and metrics").
  virtual std::string_view increasing_key_column() const noexcept = 0;
  // A statement, run inside a write transaction, that makes transactions which run it take
  // their turn from there to their commit, so that numbers they draw after it (the outbox's
  // sequence) follow commit order; `key_placeholder` binds a 64-bit lock key. Empty where
  // commits are already one at a time (SQLite's single writer).
  virtual std::string commit_order_lock(std::string_view key_placeholder) const = 0;
};

}  // namespace basalt::db
