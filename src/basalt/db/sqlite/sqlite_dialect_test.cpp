// SqliteDialect: identifier quoting is injection-proof and placeholders are numbered.
#include "basalt/db/sqlite/sqlite_dialect.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

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

}  // namespace
}  // namespace basalt::db
