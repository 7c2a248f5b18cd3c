#include "basalt/accounts/resend_throttle.hpp"

#include <gtest/gtest.h>

namespace basalt::accounts {
namespace {

using namespace std::chrono_literals;

TEST(ResendThrottle, AMarkHoldsForTheWindowThenLapses) {
  core::ManualClock clock;
  ResendThrottle throttle(clock, 120s);
  EXPECT_FALSE(throttle.active("verification:c:r"));
  throttle.mark("verification:c:r");
  EXPECT_TRUE(throttle.active("verification:c:r"));
  EXPECT_FALSE(throttle.active("verification:c:other"));
  clock.advance(119s);
  EXPECT_TRUE(throttle.active("verification:c:r"));
  clock.advance(1s);
  EXPECT_FALSE(throttle.active("verification:c:r"));
}

TEST(ResendThrottle, ClearEndsAMarkAndMarkingAgainRestartsIt) {
  core::ManualClock clock;
  ResendThrottle throttle(clock, 120s);
  throttle.mark("k");
  throttle.clear("k");
  EXPECT_FALSE(throttle.active("k"));
  throttle.mark("k");
  clock.advance(100s);
  throttle.mark("k");
  clock.advance(100s);
  EXPECT_TRUE(throttle.active("k"));  // 100 s after the second mark
  clock.advance(20s);
  EXPECT_FALSE(throttle.active("k"));
}

TEST(ResendThrottle, HoldsAtMostMaxKeysForgettingTheOldest) {
  core::ManualClock clock;
  ResendThrottle throttle(clock, 120s, 3);
  for (const char* key : {"a", "b", "c", "d"}) {
    throttle.mark(key);
    clock.advance(1s);
  }
  EXPECT_FALSE(throttle.active("a"));
  EXPECT_TRUE(throttle.active("b"));
  EXPECT_TRUE(throttle.active("d"));
  clock.advance(200s);
  throttle.mark("e");  // sweeps the lapsed ones
  EXPECT_FALSE(throttle.active("b"));
  EXPECT_TRUE(throttle.active("e"));
}

}  // namespace
}  // namespace basalt::accounts
