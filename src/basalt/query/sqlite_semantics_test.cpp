// The evaluator's SQLite emulation (sqlite_values.hpp, sqlite_json.hpp) against SQLite itself,
// primitive by primitive: number rendering, numeric conversion, LIKE, JSON validity and
// extraction.
#include <gtest/gtest.h>

#include <boost/asio/awaitable.hpp>
#include <cmath>
#include <random>

#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/db/testing/temp_dir.hpp"
#include "basalt/query/sqlite_json.hpp"
#include "basalt/query/sqlite_values.hpp"

namespace basalt::query {
namespace {

using db::testing::sync_wait;

class SqliteSemanticsTest : public ::testing::Test {
 protected:
  SqliteSemanticsTest() {
    db::SqliteOptions options;
    options.data_dir = dir_.str();
    options.statement_timeout = std::chrono::seconds(5);
    database_ = db::open_sqlite(options);
  }

  db::Value scalar(std::string_view sql, db::Params params) {
    auto rows = sync_wait(database_->query(sql, params));
    return rows[0][0];
  }

  db::testing::TempDir dir_;
  std::unique_ptr<db::Database> database_;
};

TEST_F(SqliteSemanticsTest, RealsRenderAsSqliteRendersThem) {
  std::vector<double> values = {0.0,   -0.0,   5.0,   0.1,     1e20,      1e15,   1e14,
                                1e-5,  0.0001, -2.5,  123.456, 1.5e300,   1e-300, 0.1 + 0.2,
                                100.0, 1e16,   -1e21, 3.0e-7,  12345678.9};
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> real(-1e6, 1e6);
  for (int i = 0; i < 200; ++i) values.push_back(std::round(real(rng) * 1000) / 1000);
  for (double v : values) {
    EXPECT_EQ(db::Value(sqlite::real_to_text(v)), scalar("SELECT CAST(?1 AS TEXT)", {v})) << v;
  }
}

// Comparison affinity: a REAL / TEXT column against texts and numbers given as parameters.
TEST_F(SqliteSemanticsTest, ComparisonsApplyAffinityAsSqlite) {
  sync_wait(database_->write([](db::Transaction& tx) -> boost::asio::awaitable<void> {
    co_await tx.execute("CREATE TABLE t(r REAL, s TEXT, i INTEGER)");
    co_await tx.execute(
        "INSERT INTO t VALUES (5, '5', 5), (12, ' 12 ', 0), (-3.5, 'abc', 1),"
        " (9223372036854775807, '1e3', 2), (0.5, '', 3)");
  }));
  const db::Value kOperands[] = {std::string("5"),
                                 std::string(" 12 "),
                                 std::string("5.0"),
                                 std::string("-3.5"),
                                 std::string("+7"),
                                 std::string("1e3"),
                                 std::string(".5"),
                                 std::string("5."),
                                 std::string("1e"),
                                 std::string("12x"),
                                 std::string(""),
                                 std::string("abc"),
                                 std::string("0x10"),
                                 std::string("9223372036854775807"),
                                 std::string("00012"),
                                 std::int64_t{5},
                                 std::int64_t{12},
                                 5.0,
                                 0.5,
                                 1000.0,
                                 nullptr};
  const std::pair<const char*, CompareOp> kOps[] = {{"=", CompareOp::kEq},
                                                    {"<", CompareOp::kLt},
                                                    {">=", CompareOp::kGte},
                                                    {"IS", CompareOp::kIs},
                                                    {"IS NOT", CompareOp::kIsNot}};
  auto rows = sync_wait(database_->query("SELECT r, s, i FROM t"));
  for (std::size_t row = 0; row < rows.size(); ++row) {
    for (int column = 0; column < 3; ++column) {
      const char* name = column == 0 ? "r" : column == 1 ? "s" : "i";
      Affinity affinity = column == 1 ? Affinity::kText : Affinity::kNumeric;
      for (const auto& operand : kOperands) {
        for (const auto& [text, op] : kOps) {
          std::string sql = std::string("SELECT ") + name + " " + text +
                            " ?1 FROM t LIMIT 1 OFFSET " + std::to_string(row);
          db::Value expected = scalar(sql, {operand});
          auto actual = sqlite::compare(op, rows[row][column], affinity, operand, Affinity::kNone);
          db::Value got = actual ? db::Value(std::int64_t{*actual ? 1 : 0}) : db::Value(nullptr);
          EXPECT_EQ(got, expected) << sql << " with " << sqlite::to_text(operand);
        }
      }
    }
  }
}

TEST_F(SqliteSemanticsTest, LikeMatchesAsSqlite) {
  const char* const kTexts[] = {"",      "a",     "A",  "abc", "ABC", "a%b", "a_b", "x\\y",
                                "héllo", "HÉLLO", "ab", "ba",  "%",   "_",   "aXb", "a\\%"};
  const char* const kPatterns[] = {"%",     "%a%",   "a%",     "%b",  "a_c", "_",     "a\\%b",
                                   "a\\_b", "%\\%%", "x\\\\y", "%é%", "%É%", "h_llo", "%\\",
                                   "",      "abc",   "ABC",    "%%",  "a\\"};
  for (const char* text : kTexts) {
    for (const char* pattern : kPatterns) {
      db::Value expected =
          scalar("SELECT ?1 LIKE ?2 ESCAPE '\\'", {std::string(text), std::string(pattern)});
      auto actual = sqlite::like(std::string(text), std::string(pattern));
      ASSERT_TRUE(actual.has_value());
      EXPECT_EQ(std::int64_t{*actual ? 1 : 0}, std::get<std::int64_t>(expected))
          << "'" << text << "' LIKE '" << pattern << "'";
    }
  }
}

TEST_F(SqliteSemanticsTest, JsonValidityAndValuesMatch) {
  const char* const kDocs[] = {"",
                               "1",
                               "-0",
                               "01",
                               "1.",
                               ".5",
                               "1.5e3",
                               "1e",
                               "-",
                               "true",
                               "truex",
                               "null",
                               "\"a\"",
                               "\"a\\u0041\"",
                               "[1,2]",
                               "[1,]",
                               "{}",
                               "{\"a\":1}",
                               "{\"a\":[1, 2.50, \"x\"]}",
                               " [1] ",
                               "\t[1]",
                               "\v[1]",
                               "[1] x",
                               "{\"a\" : {\"b\" : null}}",
                               "abc",
                               "\"\\x\"",
                               "\"\\ud83d\\ude00\"",
                               "12345678901234567890",
                               "-9223372036854775808",
                               "[[[]]]",
                               "{\"a\":1,\"a\":2}",
                               "1E2",
                               "[true,false,null]"};
  for (const char* doc : kDocs) {
    std::string text(doc);
    auto valid = std::get<std::int64_t>(scalar("SELECT json_valid(?1)", {text}));
    auto parsed = SqliteJson::parse(text);
    ASSERT_EQ(parsed.has_value(), valid == 1) << doc;
    if (!parsed) continue;
    EXPECT_EQ(parsed->extract({}), scalar("SELECT json_extract(?1, '$')", {text})) << doc;
    const JsonPathStep a[] = {{"a", false}};
    EXPECT_EQ(parsed->extract(a), scalar("SELECT json_extract(?1, '$.a')", {text})) << doc;
    const JsonPathStep second[] = {{"1", true}};
    EXPECT_EQ(parsed->extract(second), scalar("SELECT json_extract(?1, '$[1]')", {text})) << doc;
    EXPECT_EQ(db::Value(parsed->array_length()), scalar("SELECT json_array_length(?1)", {text}))
        << doc;
  }
}

}  // namespace
}  // namespace basalt::query
