#include "basalt/db/postgres/sql_text.hpp"

#include <gtest/gtest.h>

namespace basalt::db::postgres {
namespace {

TEST(SqlTextTest, KindsOfStatements) {
  EXPECT_EQ(statement_kind("SELECT 1"), StatementKind::kRead);
  EXPECT_EQ(
      statement_kind("  -- note\n/* a /* nested */ b */ with x as (select 1) select * from x"),
      StatementKind::kRead);
  EXPECT_EQ(statement_kind("insert into t values (1)"), StatementKind::kWrite);
  EXPECT_EQ(statement_kind("UPDATE t SET a = 1"), StatementKind::kWrite);
  EXPECT_EQ(statement_kind("DELETE FROM t"), StatementKind::kWrite);
  EXPECT_EQ(statement_kind("ANALYZE"), StatementKind::kWrite);  // not a schema change
  EXPECT_EQ(statement_kind("CREATE TABLE t (a int)"), StatementKind::kSchema);
  EXPECT_EQ(statement_kind("ALTER TABLE t ADD b int"), StatementKind::kSchema);
  EXPECT_EQ(statement_kind("DO $$ BEGIN CREATE TYPE v AS (v text); END $$"),
            StatementKind::kSchema);
  EXPECT_EQ(statement_kind("SAVEPOINT a"), StatementKind::kSavepoint);
  EXPECT_EQ(statement_kind("release savepoint a"), StatementKind::kSavepoint);
  EXPECT_EQ(statement_kind("ROLLBACK TO a"), StatementKind::kSavepoint);
  EXPECT_EQ(statement_kind("ROLLBACK WORK TO SAVEPOINT a"), StatementKind::kSavepoint);
  for (const char* control :
       {"BEGIN", "begin isolation level serializable", "START TRANSACTION", "COMMIT", "END",
        "ABORT", "ROLLBACK", "rollback and chain", "ROLLBACK PREPARED 'x'",
        "PREPARE TRANSACTION 'x'", "SET statement_timeout = 0", "RESET ALL", "DISCARD ALL",
        "LISTEN x", "DEALLOCATE ALL", "/* hidden */ COMMIT"}) {
    EXPECT_EQ(statement_kind(control), StatementKind::kControl) << control;
  }
  // Quoted: an identifier, never a keyword.
  EXPECT_EQ(statement_kind("\"commit\""), StatementKind::kSchema);
}

TEST(SqlTextTest, SavepointNames) {
  EXPECT_EQ(savepoint_name("SAVEPOINT Mine"), "mine");
  EXPECT_EQ(savepoint_name("RELEASE SAVEPOINT \"_Basalt x\""), "_Basalt x");
  EXPECT_EQ(savepoint_name("ROLLBACK TRANSACTION TO SAVEPOINT _basalt_job"), "_basalt_job");
  EXPECT_EQ(savepoint_name("release a"), "a");
}

TEST(SqlTextTest, IdentifiersSkipLiteralsAndComments) {
  const auto words = identifiers(
      "SELECT \"Posts\".id, 'users' FROM \"Posts\" -- comments\n"
      "JOIN comments c ON c.post = $1 WHERE x = $tag$ tags $tag$ AND y = E'it''s' /* z */");
  const std::vector<std::string> expected{"select", "Posts", "id",  "from", "Posts",
                                          "join",   "c",     "on",  "c",    "post",
                                          "where",  "x",     "and", "y",    "e"};
  std::vector<std::string> got = words;
  // "comments" (the table) stays; the comment's words do not.
  EXPECT_NE(std::find(got.begin(), got.end(), "comments"), got.end());
  EXPECT_EQ(std::find(got.begin(), got.end(), "users"), got.end());
  EXPECT_EQ(std::find(got.begin(), got.end(), "tags"), got.end());
  EXPECT_EQ(std::find(got.begin(), got.end(), "z"), got.end());
  EXPECT_EQ(std::count(got.begin(), got.end(), "Posts"), 2);
  (void)expected;
}

}  // namespace
}  // namespace basalt::db::postgres
