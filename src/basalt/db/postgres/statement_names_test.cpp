#include "basalt/db/postgres/statement_names.hpp"

#include <gtest/gtest.h>

namespace basalt::db::postgres {
namespace {

TEST(StatementNamesTest, LeastRecentlyUsedGoesFirstAndNamesAreNeverReused) {
  StatementNames names(2);
  EXPECT_EQ(names.find("a"), nullptr);
  EXPECT_EQ(names.next_name(), "b1");
  EXPECT_FALSE(names.add("a"));
  EXPECT_FALSE(names.add("b"));
  ASSERT_NE(names.find("a"), nullptr);  // a is now the most recent
  EXPECT_EQ(*names.find("a"), "b1");
  const auto evicted = names.add("c");
  ASSERT_TRUE(evicted);
  EXPECT_EQ(*evicted, "b2");  // b went
  EXPECT_EQ(names.find("b"), nullptr);
  EXPECT_EQ(*names.find("c"), "b3");
  EXPECT_EQ(names.remove("c"), std::optional<std::string>("b3"));
  EXPECT_EQ(names.size(), 1u);
  EXPECT_EQ(names.next_name(), "b4");
  names.clear();
  EXPECT_EQ(names.size(), 0u);
  EXPECT_EQ(names.next_name(), "b4");
}

}  // namespace
}  // namespace basalt::db::postgres
