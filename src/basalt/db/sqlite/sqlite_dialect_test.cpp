// SqliteDialect: identifier quoting is injection-proof and placeholders are numbered.
#include "basalt/db/sqlite/sqlite_dialect.hpp"

#include <gtest/gtest.h>

#include <sqlite3.h>

#include <stdexcept>
#include <string>

namespace basalt::db {
namespace {

TEST(SqliteDialect, QuotesIdentifiers) {
  SqliteDialect dialect;
  EXPECT_EQ(dialect.quote_identifier("users"), "\"users\"");
  EXPECT_EQ(dialect.quote_identifier("na\"me"), "\"na\"\"me\"");
  EXPECT_EQ(dialect.quote_identifier("x\"; DROP TABLE t; --"), "\"x\"\"; DROP TABLE t; --\"");
  EXPECT_EQ(dialect.quote_identifier(""), "\"\"");
  EXPECT_THROW(dialect.quote_identifier(std::string_view("a\0b", 3)), std::invalid_argument);
}

TEST(SqliteDialect, PlaceholdersAndTypes) {
  SqliteDialect dialect;
  EXPECT_EQ(dialect.name(), "sqlite");
  EXPECT_EQ(dialect.placeholder(1), "?1");
  EXPECT_EQ(dialect.placeholder(12), "?12");
  EXPECT_EQ(dialect.column_type(ColumnType::kText), "TEXT");
  EXPECT_EQ(dialect.column_type(ColumnType::kJson), "TEXT");
  EXPECT_EQ(dialect.column_type(ColumnType::kInteger), "INTEGER");
  EXPECT_EQ(dialect.column_type(ColumnType::kBool), "INTEGER");
  EXPECT_EQ(dialect.column_type(ColumnType::kReal), "REAL");
  EXPECT_EQ(dialect.column_type(ColumnType::kBlob), "BLOB");
}

TEST(SqliteDialect, UpsertClauseAndIntegerCast) {
  SqliteDialect dialect;
  const std::string value = dialect.quote_identifier("value");
  EXPECT_EQ(dialect.on_conflict_update("\"id\"", value + " = " + dialect.inserted_value(value)),
            " ON CONFLICT(\"id\") DO UPDATE SET \"value\" = excluded.\"value\"");
  EXPECT_EQ(dialect.integer_cast("\"value\""), "CAST(\"value\" AS INTEGER)");
  EXPECT_EQ(dialect.integer_as_json("CAST(v AS INTEGER) + 1"), "CAST(v AS INTEGER) + 1");
}

// The spellings run: an upsert inserts once, then updates the existing row from the proposed
// values and from the row itself.
TEST(SqliteDialect, UpsertRunsOnSqlite) {
  SqliteDialect dialect;
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  auto run = [&](const std::string& sql) {
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    const std::string message = error ? error : "";
    sqlite3_free(error);
    return rc == SQLITE_OK ? std::string() : message;
  };
  ASSERT_EQ(run("CREATE TABLE p (id TEXT PRIMARY KEY, value TEXT, n TEXT)"), "");
  const std::string upsert =
      "INSERT INTO p (id, value, n) VALUES ('a', 'x', '1')" +
      dialect.on_conflict_update("id", "value = " + dialect.inserted_value("value") +
                                           ", n = " + dialect.integer_cast("n") + " + 1");
  ASSERT_EQ(run(upsert), "");
  ASSERT_EQ(
      run(upsert.substr(0, upsert.find("'x'")) + "'y'" + upsert.substr(upsert.find("'x'") + 3)),
      "");
  std::string row;
  sqlite3_exec(
      db, "SELECT value || ':' || n FROM p",
      [](void* out, int, char** values, char**) {
        *static_cast<std::string*>(out) = values[0];
        return 0;
      },
      &row, nullptr);
  sqlite3_close(db);
  EXPECT_EQ(row, "y:2");
}

// Case-insensitive comparison folds ASCII letters only, in = and in GROUP BY; the insertion
// order of a table needs no column of its own.
TEST(SqliteDialect, IgnoringCaseAndInsertionOrderRunOnSqlite) {
  SqliteDialect dialect;
  EXPECT_EQ(dialect.equals_ignoring_case("\"email\"", "?1"), "\"email\" = ?1 COLLATE NOCASE");
  EXPECT_EQ(dialect.ignoring_case("\"name\""), "\"name\" COLLATE NOCASE");
  EXPECT_EQ(dialect.insertion_order_column(), "");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  auto rows = [&](const std::string& sql) {
    std::string out;
    char* error = nullptr;
    sqlite3_exec(
        db, sql.c_str(),
        [](void* text, int, char** values, char**) {
          *static_cast<std::string*>(text) += std::string(values[0] ? values[0] : "") + ";";
          return 0;
        },
        &out, &error);
    if (error) out = std::string("error: ") + error;
    sqlite3_free(error);
    return out;
  };
  EXPECT_EQ(rows("CREATE TABLE t (v TEXT, n TEXT" + dialect.insertion_order_column() +
                 "); INSERT INTO t VALUES ('b', 'Ab'), ('a', 'aB'), ('c', 'Äb'), ('d', 'äb')"),
            "");
  EXPECT_EQ(rows("SELECT v FROM t WHERE " + dialect.equals_ignoring_case("n", "'AB'") +
                 " ORDER BY " + dialect.insertion_order()),
            "b;a;");
  EXPECT_EQ(
      rows("SELECT COUNT(*) FROM t GROUP BY " + dialect.ignoring_case("n") + " ORDER BY 1 DESC"),
      "2;1;1;");
  EXPECT_EQ(rows("SELECT v FROM t ORDER BY " + dialect.insertion_order() + " DESC"), "d;c;a;b;");
  sqlite3_close(db);
}

}  // namespace
}  // namespace basalt::db
