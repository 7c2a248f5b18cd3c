// PostgresDialect: every spelling runs on a real PostgreSQL 15 (BASALT_TEST_POSTGRES_URL) and
// gives, for the same inputs, what SqliteDialect's spelling gives on SQLite.
#include "basalt/db/postgres/postgres_dialect.hpp"

#include <gtest/gtest.h>

#include <sqlite3.h>

#include <optional>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "basalt/db/sqlite/sqlite_dialect.hpp"
#include "basalt/db/testing/libpq_session.hpp"

namespace basalt::db {
namespace {

using testing::PgCell;
using testing::PgRows;

// An in-memory SQLite database answering with text cells, as LibpqSession does.
class SqliteScratch {
 public:
  SqliteScratch() {
    if (sqlite3_open(":memory:", &db_) != SQLITE_OK) throw std::runtime_error("sqlite open");
  }
  ~SqliteScratch() { sqlite3_close(db_); }
  PgRows query(const std::string& sql, const std::vector<PgCell>& params = {}) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string(sqlite3_errmsg(db_)) + " in: " + sql);
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (params[i]) {
        sqlite3_bind_text(stmt, static_cast<int>(i + 1), params[i]->c_str(), -1, SQLITE_TRANSIENT);
      }
    }
    PgRows rows;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<PgCell>& row = rows.emplace_back();
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
          row.emplace_back();
        } else {
          row.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, c)));
        }
      }
    }
    std::string message = sqlite3_errmsg(db_);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) throw std::runtime_error(message + " in: " + sql);
    return rows;
  }
  void exec(const std::string& sql) { query(sql); }

 private:
  sqlite3* db_ = nullptr;
};

// "1"/"0" for a condition's cell whichever engine printed it (SQLite 1/0, PostgreSQL t/f).
std::string truth_of(const PgCell& cell) {
  if (!cell) return "NULL";
  if (*cell == "t" || *cell == "1") return "1";
  if (*cell == "f" || *cell == "0") return "0";
  return "?" + *cell;
}

TEST(PostgresDialect, Spellings) {
  PostgresDialect dialect;
  EXPECT_EQ(dialect.name(), "postgres");
  EXPECT_EQ(dialect.quote_identifier("na\"me"), "\"na\"\"me\"");
  EXPECT_THROW(dialect.quote_identifier(std::string_view("a\0b", 3)), std::invalid_argument);
  EXPECT_EQ(dialect.placeholder(1), "$1");
  EXPECT_EQ(dialect.placeholder(12), "$12");
  EXPECT_EQ(dialect.column_type(ColumnType::kText), "TEXT");
  EXPECT_EQ(dialect.column_type(ColumnType::kJson), "JSONB");
  EXPECT_EQ(dialect.column_type(ColumnType::kInteger), "BIGINT");
  EXPECT_EQ(dialect.column_type(ColumnType::kBool), "BOOLEAN");
  EXPECT_EQ(dialect.column_type(ColumnType::kReal), "DOUBLE PRECISION");
  EXPECT_EQ(dialect.column_type(ColumnType::kBlob), "BYTEA");
  // Stored text sorts by bytes, as the filter printer's ORDER BY and ranges spell it.
  EXPECT_EQ(dialect.column_definition_type(ColumnType::kText), "TEXT COLLATE \"C\"");
  EXPECT_EQ(dialect.column_definition_type(ColumnType::kBool), "BOOLEAN");
  EXPECT_EQ(dialect.on_conflict_update("\"id\"", "\"v\" = " + dialect.inserted_value("\"v\"")),
            " ON CONFLICT (\"id\") DO UPDATE SET \"v\" = EXCLUDED.\"v\"");
  EXPECT_EQ(dialect.integer_cast("\"value\""), "CAST(\"value\" AS BIGINT)");
  EXPECT_EQ(dialect.integer_as_json("CAST(v AS BIGINT) + 1"), "to_jsonb(CAST(v AS BIGINT) + 1)");
  EXPECT_EQ(dialect.insert_rows_keyword(), "INSERT");
}

// Quoting keeps any name an identifier: a table named like an injection is just a table.
TEST(PostgresDialect, QuotedNamesAreIdentifiersOnTheServer) {
  BASALT_LIBPQ_SESSION_OR_SKIP(pg);
  PostgresDialect dialect;
  const std::string table = dialect.quote_identifier("x\"; DROP TABLE t; --");
  const std::string column = dialect.quote_identifier("Mixed \"Case\"");
  pg.exec("CREATE TABLE " + table + " (" + column + " TEXT)");
  pg.query("INSERT INTO " + table + " (" + column + ") VALUES (" + dialect.placeholder(1) + ")",
           {"v"});
  EXPECT_EQ(pg.scalar("SELECT " + column + " FROM " + table), "v");
}

// The upsert of collection_service's version counter: inserted once, then updated from the
// proposed values and the existing row, on both engines alike.
TEST(PostgresDialect, UpsertAndIntegerCastMatchSqlite) {
  BASALT_LIBPQ_SESSION_OR_SKIP(pg);
  SqliteScratch lite;
  auto upsert = [](const Dialect& d) {
    return "INSERT INTO p (id, value, n) VALUES (" + d.placeholder(1) + ", " + d.placeholder(2) +
           ", '1')" +
           d.on_conflict_update("id", "value = " + d.inserted_value("value") +
                                          ", n = " + d.integer_cast("p.n") + " + 1");
  };
  PostgresDialect pg_dialect;
  SqliteDialect lite_dialect;
  pg.exec("CREATE TABLE p (id TEXT PRIMARY KEY, value TEXT, n TEXT)");
  lite.exec("CREATE TABLE p (id TEXT PRIMARY KEY, value TEXT, n TEXT)");
  for (const char* value : {"x", "y", "z"}) {
    pg.query(upsert(pg_dialect), {"a", value});
    lite.query(upsert(lite_dialect), {"a", value});
  }
  const std::string read = "SELECT value || ':' || n FROM p";
  EXPECT_EQ(pg.query(read), lite.query(read));
  EXPECT_EQ(pg.query(read)[0][0], "z:3");
}

// ASCII letters fold, nothing else does: the same verdicts as SQLite's NOCASE for = , GROUP
// BY, ORDER BY and a unique index.
TEST(PostgresDialect, IgnoringCaseMatchesNocase) {
  BASALT_LIBPQ_SESSION_OR_SKIP(pg);
  SqliteScratch lite;
  PostgresDialect pg_dialect;
  SqliteDialect lite_dialect;
  const std::vector<std::string> words = {"abc",     "ABC",    "aBc", "Äbc", "äbc", "ÄBC", "straße",
                                          "STRASSE", "Straße", "İ",   "i",   "I",   "ı",   "",
                                          " abc",    "abc ",   "a_c", "A_C", "z",   "Z",   "[",
                                          "`",       "é",      "É",   "1a",  "1A"};
  for (const std::string& a : words) {
    for (const std::string& b : words) {
      const PgCell on_pg =
          pg.scalar("SELECT " + pg_dialect.equals_ignoring_case(pg_dialect.placeholder(1),
                                                                pg_dialect.placeholder(2)),
                    {a, b});
      const PgCell on_lite =
          lite.query("SELECT " + lite_dialect.equals_ignoring_case(lite_dialect.placeholder(1),
                                                                   lite_dialect.placeholder(2)),
                     {a, b})[0][0];
      EXPECT_EQ(truth_of(on_pg), truth_of(on_lite)) << "'" << a << "' vs '" << b << "'";
    }
  }
  pg.exec("CREATE TABLE w (id BIGINT, word TEXT)");
  lite.exec("CREATE TABLE w (id INTEGER, word TEXT)");
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::vector<PgCell> params = {std::to_string(i), words[i]};
    pg.query("INSERT INTO w (id, word) VALUES ($1, $2)", params);
    lite.query("INSERT INTO w (id, word) VALUES (?1, ?2)", params);
  }
  auto grouped = [](const Dialect& d) {
    const std::string key = d.ignoring_case("word");
    return "SELECT min(id), count(*) FROM w GROUP BY " + key + " ORDER BY " + key + ", min(id)";
  };
  EXPECT_EQ(pg.query(grouped(pg_dialect)), lite.query(grouped(lite_dialect)));

  // A unique index over the folded key refuses an ASCII case variant only.
  const std::string index = "CREATE UNIQUE INDEX w_name ON n (" +
                            pg_dialect.ignoring_case(pg_dialect.quote_identifier("name")) + ")";
  pg.exec("CREATE TABLE n (name TEXT)");
  pg.exec(index);
  pg.query("INSERT INTO n (name) VALUES ($1)", {"Äpfel"});
  std::string error;
  pg.try_query("INSERT INTO n (name) VALUES ($1)", {"äpfel"}, error);
  EXPECT_EQ(error, "");
  pg.try_query("INSERT INTO n (name) VALUES ($1)", {"ÄPFEL"}, error);
  EXPECT_NE(error.find("duplicate key"), std::string::npos) << error;
}

// The column numbers rows in insertion order whatever their other columns say.
TEST(PostgresDialect, InsertionOrder) {
  BASALT_LIBPQ_SESSION_OR_SKIP(pg);
  PostgresDialect dialect;
  pg.exec("CREATE TABLE c (id TEXT PRIMARY KEY, created TEXT, " + dialect.insertion_order_column() +
          ")");
  for (const char* id : {"m", "b", "z", "a"}) {
    pg.query("INSERT INTO c (id, created) VALUES ($1, 'same')", {id});
  }
  PgRows rows = pg.query("SELECT id FROM c ORDER BY created, " + dialect.insertion_order());
  ASSERT_EQ(rows.size(), 4U);
  EXPECT_EQ(rows[0][0], "m");
  EXPECT_EQ(rows[1][0], "b");
  EXPECT_EQ(rows[2][0], "z");
  EXPECT_EQ(rows[3][0], "a");
}

// DEFAULTs: PocketBase datetime text and 15-character ids, as SQLite's expressions give them.
TEST(PostgresDialect, NowAndRandomIdDefaults) {
  BASALT_LIBPQ_SESSION_OR_SKIP(pg);
  SqliteScratch lite;
  PostgresDialect pg_dialect;
  SqliteDialect lite_dialect;
  const std::regex datetime(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z)");
  const std::regex id("r[0-9a-f]{14}");
  auto table = [](const Dialect& d) {
    return "CREATE TABLE d (n INTEGER, id TEXT DEFAULT " + std::string(d.random_id_expression()) +
           ", created TEXT DEFAULT " + std::string(d.now_expression()) + ")";
  };
  pg.exec(table(pg_dialect));
  lite.exec(table(lite_dialect));
  for (int i = 0; i < 50; ++i) {
    pg.exec("INSERT INTO d (n) VALUES (" + std::to_string(i) + ")");
    lite.exec("INSERT INTO d (n) VALUES (" + std::to_string(i) + ")");
  }
  for (PgRows rows :
       {pg.query("SELECT id, created FROM d"), lite.query("SELECT id, created FROM d")}) {
    std::set<std::string> ids;
    ASSERT_EQ(rows.size(), 50U);
    for (const auto& row : rows) {
      ASSERT_TRUE(row[0] && row[1]);
      EXPECT_TRUE(std::regex_match(*row[0], id)) << *row[0];
      EXPECT_TRUE(std::regex_match(*row[1], datetime)) << *row[1];
      ids.insert(*row[0]);
    }
    EXPECT_EQ(ids.size(), 50U);
  }
}

// One <-> many value conversions, run as the native ALTER ... TYPE ... USING they are written
// for, give the text SQLite's rebuild stores.
TEST(PostgresDialect, JsonArrayConversionsMatchSqlite) {
  BASALT_LIBPQ_SESSION_OR_SKIP(pg);
  SqliteScratch lite;
  PostgresDialect pg_dialect;
  SqliteDialect lite_dialect;
  const std::vector<PgCell> singles = {std::nullopt, "", "abc", "a\"b", "ü", "[1]", " "};
  pg.exec("CREATE TABLE s (k INTEGER, v TEXT)");
  lite.exec("CREATE TABLE s (k INTEGER, v TEXT)");
  for (std::size_t i = 0; i < singles.size(); ++i) {
    pg.query("INSERT INTO s VALUES ($1, $2)", {std::to_string(i), singles[i]});
    lite.query("INSERT INTO s VALUES (?1, ?2)", {std::to_string(i), singles[i]});
  }
  pg.exec("ALTER TABLE s ALTER COLUMN v TYPE JSONB USING " +
          pg_dialect.to_json_array_expression("v"));
  PgRows on_pg = pg.query("SELECT k, v::text FROM s ORDER BY k");
  PgRows on_lite =
      lite.query("SELECT k, " + lite_dialect.to_json_array_expression("v") + " FROM s ORDER BY k");
  EXPECT_EQ(on_pg, on_lite);

  const std::vector<PgCell> arrays = {std::nullopt, "[]",    "[\"a\",\"b\"]", "[\"x\"]", "\"x\"",
                                      "5",          "[1,2]", "[\"a\",null]",  "[1.5]",   "[true]",
                                      "[false]",    "null",  "[\"ü\"]",       "[[]]"};
  pg.exec("CREATE TABLE m (k INTEGER, v JSONB)");
  lite.exec("CREATE TABLE m (k INTEGER, v TEXT)");
  for (std::size_t i = 0; i < arrays.size(); ++i) {
    pg.query("INSERT INTO m VALUES ($1, $2)", {std::to_string(i), arrays[i]});
    lite.query("INSERT INTO m VALUES (?1, ?2)", {std::to_string(i), arrays[i]});
  }
  pg.exec("ALTER TABLE m ALTER COLUMN v TYPE TEXT USING " +
          pg_dialect.json_array_last_expression("v"));
  on_pg = pg.query("SELECT k, v FROM m ORDER BY k");
  on_lite = lite.query("SELECT k, CAST(" + lite_dialect.json_array_last_expression("v") +
                       " AS TEXT) FROM m ORDER BY k");
  EXPECT_EQ(on_pg, on_lite);
}

// Multi-value relations: the same rows hold any of the ids on both engines.
TEST(PostgresDialect, JsonArrayContainsAnyMatchesSqlite) {
  BASALT_LIBPQ_SESSION_OR_SKIP(pg);
  SqliteScratch lite;
  PostgresDialect pg_dialect;
  SqliteDialect lite_dialect;
  const std::vector<PgCell> arrays = {
      std::nullopt, "[]",     "[\"a\",\"b\"]", "[\"b\"]", "\"a\"",         "5",   "[5]", "[\"5\"]",
      "{\"a\":1}",  "[null]", "[[\"a\"]]",     "[\"A\"]", "[\"c\",\"a\"]", "null"};
  pg.exec("CREATE TABLE r (k INTEGER, v JSONB)");
  lite.exec("CREATE TABLE r (k INTEGER, v TEXT)");
  for (std::size_t i = 0; i < arrays.size(); ++i) {
    pg.query("INSERT INTO r VALUES ($1, $2)", {std::to_string(i), arrays[i]});
    lite.query("INSERT INTO r VALUES (?1, ?2)", {std::to_string(i), arrays[i]});
  }
  const std::vector<std::vector<PgCell>> lists = {{"a"}, {"5"}, {"b", "c"}, {"x"}, {"A", "z"}};
  for (const auto& list : lists) {
    auto sql = [&](const Dialect& d) {
      std::string values;
      for (std::size_t i = 0; i < list.size(); ++i) {
        values += (i ? ", " : "") + d.placeholder(i + 1);
      }
      return "SELECT k FROM r WHERE " + d.json_array_contains_any("v", values) + " ORDER BY k";
    };
    EXPECT_EQ(pg.query(sql(pg_dialect), list), lite.query(sql(lite_dialect), list))
        << "first value " << *list[0];
  }
}

TEST(PostgresDialect, StatisticsAndMultiRowInsertRun) {
  BASALT_LIBPQ_SESSION_OR_SKIP(pg);
  PostgresDialect dialect;
  pg.exec("CREATE TABLE t (id TEXT PRIMARY KEY, on_ BOOLEAN DEFAULT FALSE NOT NULL)");
  pg.query(
      std::string(dialect.insert_rows_keyword()) + " INTO t (id, on_) VALUES ($1, $2), ($3, $4)",
      {"a", "1", "b", "0"});
  for (const std::string& statement : dialect.statistics_statements()) pg.exec(statement);
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM t WHERE on_ = $1", {"1"}), "1");
}

}  // namespace
}  // namespace basalt::db
