#include "basalt/db/postgres/pg_error.hpp"

#include <gtest/gtest.h>

namespace basalt::db::postgres {
namespace {

TEST(PgErrorTest, SqlstatesPackIntoDistinctCodes) {
  EXPECT_NE(pack_sqlstate("40001"), 0);
  EXPECT_NE(pack_sqlstate("40001"), pack_sqlstate("40P01"));
  EXPECT_EQ(pack_sqlstate("4000"), 0);
  EXPECT_EQ(pack_sqlstate("4000a"), 0);
  EXPECT_TRUE(is_retryable("40001"));
  EXPECT_TRUE(is_retryable("40P01"));
  EXPECT_FALSE(is_retryable("23505"));
  EXPECT_TRUE(ends_session("57P01"));
  EXPECT_TRUE(ends_session("08006"));
  EXPECT_FALSE(ends_session("57014"));
}

}  // namespace
}  // namespace basalt::db::postgres
