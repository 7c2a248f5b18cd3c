// constraint_error: SQLite's constraint messages become kinds and table.column lists.
#include "basalt/db/sqlite/sqlite_error.hpp"

#include <gtest/gtest.h>

namespace basalt::db::sqlite {
namespace {

using Columns = std::vector<std::string>;

TEST(ConstraintError, UniqueOverColumns) {
  ConstraintError error = constraint_error(
      SQLITE_CONSTRAINT_UNIQUE, "UNIQUE constraint failed: users.email, users.tenant", "text");
  EXPECT_EQ(error.kind(), ConstraintKind::kUnique);
  EXPECT_EQ(error.columns(), (Columns{"users.email", "users.tenant"}));
  EXPECT_EQ(error.constraint(), "");
  EXPECT_EQ(error.code(), SQLITE_CONSTRAINT_UNIQUE);
  EXPECT_STREQ(error.what(), "text");
}

TEST(ConstraintError, PrimaryKeyIsUnique) {
  ConstraintError error =
      constraint_error(SQLITE_CONSTRAINT_PRIMARYKEY, "UNIQUE constraint failed: users.id", "");
  EXPECT_EQ(error.kind(), ConstraintKind::kUnique);
  EXPECT_EQ(error.columns(), Columns{"users.id"});
}

TEST(ConstraintError, UniqueExpressionIndexNamesTheIndex) {
  ConstraintError error = constraint_error(SQLITE_CONSTRAINT_UNIQUE,
                                           "UNIQUE constraint failed: index 'idx_lower_email'", "");
  EXPECT_EQ(error.kind(), ConstraintKind::kUnique);
  EXPECT_TRUE(error.columns().empty());
  EXPECT_EQ(error.constraint(), "idx_lower_email");
}

TEST(ConstraintError, NotNullCheckAndForeignKey) {
  ConstraintError not_null =
      constraint_error(SQLITE_CONSTRAINT_NOTNULL, "NOT NULL constraint failed: users.name", "");
  EXPECT_EQ(not_null.kind(), ConstraintKind::kNotNull);
  EXPECT_EQ(not_null.columns(), Columns{"users.name"});

  ConstraintError check =
      constraint_error(SQLITE_CONSTRAINT_CHECK, "CHECK constraint failed: positive_price", "");
  EXPECT_EQ(check.kind(), ConstraintKind::kCheck);
  EXPECT_TRUE(check.columns().empty());
  EXPECT_EQ(check.constraint(), "positive_price");

  ConstraintError foreign =
      constraint_error(SQLITE_CONSTRAINT_FOREIGNKEY, "FOREIGN KEY constraint failed", "");
  EXPECT_EQ(foreign.kind(), ConstraintKind::kForeignKey);
  EXPECT_TRUE(foreign.columns().empty());
  EXPECT_EQ(foreign.constraint(), "");

  EXPECT_EQ(constraint_error(SQLITE_CONSTRAINT_TRIGGER, "boom", "").kind(), ConstraintKind::kOther);
}

}  // namespace
}  // namespace basalt::db::sqlite
