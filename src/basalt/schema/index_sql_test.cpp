#include "basalt/schema/index_sql.hpp"

#include <gtest/gtest.h>

#include "basalt/schema/view_query.hpp"

namespace basalt::schema {
namespace {

TEST(IndexSqlTest, ParsesAPlainIndex) {
  auto index = IndexDefinition::parse("CREATE INDEX idx_posts_author ON posts (author)");
  ASSERT_TRUE(index);
  EXPECT_FALSE(index->unique);
  EXPECT_EQ(index->index_name, "idx_posts_author");
  EXPECT_EQ(index->table_name, "posts");
  ASSERT_EQ(index->columns.size(), 1u);
  EXPECT_EQ(index->columns[0].name, "author");
  EXPECT_EQ(index->build(), "CREATE INDEX `idx_posts_author` ON `posts` (`author`)");
}

TEST(IndexSqlTest, ParsesEveryPart) {
  auto index = IndexDefinition::parse(
      "create unique index if not exists `main`.\"idx_x\" on [users] "
      "(email collate nocase desc, lower(name), `age` ASC) where email != '' and age > 3;");
  ASSERT_TRUE(index);
  EXPECT_TRUE(index->unique);
  EXPECT_TRUE(index->if_not_exists);
  EXPECT_EQ(index->schema_name, "main");
  EXPECT_EQ(index->index_name, "idx_x");
  EXPECT_EQ(index->table_name, "users");
  ASSERT_EQ(index->columns.size(), 3u);
  EXPECT_EQ(index->columns[0], (IndexColumn{"email", "nocase", "DESC"}));
  EXPECT_EQ(index->columns[1].name, "lower(name)");
  EXPECT_TRUE(index->columns[1].is_expression());
  EXPECT_EQ(index->columns[2], (IndexColumn{"age", "", "ASC"}));
  EXPECT_EQ(index->where, "email != '' and age > 3");
  EXPECT_EQ(index->build(),
            "CREATE UNIQUE INDEX IF NOT EXISTS `main`.`idx_x` ON `users` (\n"
            "  `email` COLLATE nocase DESC,\n"
            "  lower(name),\n"
            "  `age` ASC\n"
            ") WHERE email != '' and age > 3");
}

TEST(IndexSqlTest, BuildsPocketBaseAuthIndexesUnchanged) {
  const std::string email =
      "CREATE UNIQUE INDEX `idx_email__pb_users_auth_` ON `users` (`email`) WHERE `email` != ''";
  EXPECT_EQ(IndexDefinition::parse(email)->build(), email);
}

TEST(IndexSqlTest, RejectsAnythingButOneIndexStatement) {
  for (const char* sql : {
           "",
           "CREATE TABLE t (a)",
           "CREATE INDEX ON t (a)",
           "CREATE INDEX i t (a)",
           "CREATE INDEX i ON t ()",
           "CREATE INDEX i ON t (a",
           "CREATE INDEX i ON t (a) ; DROP TABLE t",
           "CREATE INDEX i ON t (a); CREATE INDEX j ON t (b)",
           "CREATE INDEX i ON t (a) -- comment",
           "CREATE INDEX i ON t (a) /* x */",
           "CREATE INDEX i ON t (a) WHERE",
           "CREATE INDEX i ON t (a) WHERE (b > 1",
           "CREATE INDEX i ON t (a) garbage",
           "CREATE INDEX i ON t (a) WHERE b = 'unterminated",
       }) {
    std::string error;
    EXPECT_FALSE(IndexDefinition::parse(sql, &error)) << sql;
    EXPECT_FALSE(error.empty()) << sql;
  }
}

TEST(IndexSqlTest, SemicolonsInsideLiteralsAreData) {
  auto index = IndexDefinition::parse("CREATE INDEX i ON t (a) WHERE b != ';'");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->where, "b != ';'");
}

// Found by index_sql_fuzzer: build() wrapped names in backticks without doubling the ones
// inside, so a quoted name could end the identifier early and the rest run as SQL.
TEST(IndexSqlTest, BacktickInsideANameStaysQuoted) {
  auto index = IndexDefinition::parse("CREATE INDEX \"a`b\" ON \"t`\" (\"c``d\")");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->index_name, "a`b");
  EXPECT_EQ(index->columns[0].name, "c``d");
  EXPECT_EQ(index->build(), "CREATE INDEX `a``b` ON `t``` (`c````d`)");
  auto again = IndexDefinition::parse(index->build());
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *index);
}

// Found by index_sql_fuzzer: a quoted column name holding a space or '(' was taken for an
// expression and emitted without its quotes, so its text became SQL.
TEST(IndexSqlTest, QuotedColumnThatLooksLikeAnExpressionKeepsItsQuotes) {
  auto index = IndexDefinition::parse("CREATE INDEX i ON t (\"c) WHERE (1\", [x y])");
  ASSERT_TRUE(index);
  ASSERT_EQ(index->columns.size(), 2u);
  EXPECT_EQ(index->columns[0].name, "\"c) WHERE (1\"");
  EXPECT_EQ(index->build(), "CREATE INDEX `i` ON `t` (\n  \"c) WHERE (1\",\n  [x y]\n)");
  auto again = IndexDefinition::parse(index->build());
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *index);
  EXPECT_TRUE(again->where.empty());
}

// Found by index_sql_fuzzer: a NUL byte was scanned as punctuation, so a WHERE clause could
// carry text that SQLite, which stops at the NUL, never sees.
TEST(IndexSqlTest, NulByteIsRefused) {
  std::string error;
  using namespace std::string_literals;
  EXPECT_FALSE(IndexDefinition::parse("CREATE INDEX i ON t (a) WHERE b = 1\0 OR 1"s, &error));
  EXPECT_EQ(error, "NUL bytes are not allowed");
  EXPECT_FALSE(IndexDefinition::parse("CREATE INDEX i ON t (\"a\0b\")"s));
}

// Found by index_sql_fuzzer: build() trimmed white space inside a quoted column name.
TEST(IndexSqlTest, WhiteSpaceInsideAQuotedNameIsKept) {
  auto index = IndexDefinition::parse("CREATE INDEX i ON t (`a\t`)");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->build(), "CREATE INDEX `i` ON `t` (`a\t`)");
}

// Found by index_sql_fuzzer: a quoted name of white space alone parsed as a column that build()
// then dropped, so the built statement meant another index.
TEST(IndexSqlTest, AQuotedNameOfWhiteSpaceAloneIsRefused) {
  std::string error;
  EXPECT_FALSE(IndexDefinition::parse("CREATE INDEX i ON t (a, `\t\t`)", &error));
  EXPECT_EQ(error, "empty index column");
}

TEST(IndexSqlTest, FindsSingleColumnUniqueIndexes) {
  std::vector<std::string> indexes = {
      "CREATE INDEX a ON t (email)",
      "CREATE UNIQUE INDEX b ON t (email, name)",
      "CREATE UNIQUE INDEX c ON t (`Email`) WHERE email != ''",
  };
  auto found = find_single_column_unique_index(indexes, "email");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->index_name, "c");
  EXPECT_FALSE(find_single_column_unique_index(indexes, "name"));
}

TEST(ViewQueryTest, AcceptsOneSelect) {
  EXPECT_EQ(check_view_query_shape("SELECT id, title FROM posts"), std::nullopt);
  EXPECT_EQ(check_view_query_shape("  select id from posts ;; "), std::nullopt);
  EXPECT_EQ(check_view_query_shape("-- comment\nSELECT id FROM posts WHERE title = 'a;b'"),
            std::nullopt);
  EXPECT_EQ(check_view_query_shape(
                "WITH recent AS (SELECT id FROM posts), x(a) AS (SELECT 1) SELECT id FROM recent"),
            std::nullopt);
}

TEST(ViewQueryTest, RejectsEverythingElse) {
  EXPECT_EQ(check_view_query_shape("SELECT 1; SELECT 2"), "multiple statements are not supported");
  EXPECT_EQ(check_view_query_shape("SELECT 1; DROP TABLE posts"),
            "multiple statements are not supported");
  EXPECT_TRUE(check_view_query_shape("DELETE FROM posts"));
  EXPECT_TRUE(check_view_query_shape("WITH x AS (SELECT 1) DELETE FROM posts"));
  EXPECT_TRUE(check_view_query_shape("PRAGMA table_info(posts)"));
  EXPECT_TRUE(check_view_query_shape("SELECT 'unterminated"));
  EXPECT_TRUE(check_view_query_shape(""));
}

TEST(ViewQueryTest, NormalisesSurroundingNoise) {
  EXPECT_EQ(normalize_view_query("  SELECT 1 ;\n "), "SELECT 1");
}

}  // namespace
}  // namespace basalt::schema
