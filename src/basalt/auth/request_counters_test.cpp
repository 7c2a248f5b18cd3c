// RequestCounters: PocketBase's fixed windows per key, and the bound on keys.
#include "basalt/auth/request_counters.hpp"

#include <gtest/gtest.h>

#include <string>

namespace basalt::auth {
namespace {

TEST(RequestCountersTest, AKeyGetsMaxRequestsUntilDurationAfterItsLastAllowedOne) {
  RequestCounters counters(100, 4);
  EXPECT_TRUE(counters.consume("a", 2, 10, 1000));
  EXPECT_TRUE(counters.consume("a", 2, 10, 1005));
  EXPECT_FALSE(counters.consume("a", 2, 10, 1009));
  EXPECT_FALSE(counters.consume("a", 2, 10, 1014));  // 9 s after the last allowed request
  EXPECT_TRUE(counters.consume("a", 2, 10, 1015));   // 10 s after it: refilled
  EXPECT_TRUE(counters.consume("b", 2, 10, 1015));   // other keys count apart
}

TEST(RequestCountersTest, MemoryIsBoundedByEvictingTheLeastRecentlyUsedKey) {
  RequestCounters counters(8, 1);
  for (int i = 0; i < 100; ++i) counters.consume("key" + std::to_string(i), 1, 60, 0);
  EXPECT_EQ(counters.tracked_keys(), 8u);
  // key99 is still tracked (spent); key0 was forgotten and starts a fresh window.
  EXPECT_FALSE(counters.consume("key99", 1, 60, 1));
  EXPECT_TRUE(counters.consume("key0", 1, 60, 1));
  counters.clear();
  EXPECT_EQ(counters.tracked_keys(), 0u);
  EXPECT_THROW(RequestCounters(0, 1), std::invalid_argument);
}

}  // namespace
}  // namespace basalt::auth
