// The manual clock moves only when told, both readings together; the system clock reads the
// real time.
#include "basalt/core/clock.hpp"

#include <gtest/gtest.h>

namespace basalt::core {
namespace {

using namespace std::chrono_literals;

TEST(ClockTest, ManualClockMovesOnlyWhenAdvanced) {
  const auto start = std::chrono::system_clock::time_point(1'800'000'000s);
  ManualClock clock(start);
  const auto steady = clock.steady_now();
  EXPECT_EQ(clock.now(), start);
  EXPECT_EQ(clock.now(), start);
  clock.advance(90s);
  EXPECT_EQ(clock.now(), start + 90s);
  EXPECT_EQ(clock.steady_now(), steady + 90s);
}

TEST(ClockTest, SystemClockReadsTheRealTime) {
  const auto before = std::chrono::system_clock::now();
  const auto read = system_clock().now();
  EXPECT_LE(before, read);
  EXPECT_LE(read, std::chrono::system_clock::now());
}

}  // namespace
}  // namespace basalt::core
