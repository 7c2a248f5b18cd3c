// SignInThrottle: the sign-in failure policy (issue M1.6 item 7). Failures of one address never
// refuse another address, a correct password from a fresh address always passes, refused
// attempts say how long to wait, and success refunds. Real MemoryRateLimiters; time is a
// ManualClock the test moves.
#include "basalt/auth/sign_in_throttle.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "basalt/auth/memory_rate_limiter.hpp"
#include "basalt/db/testing/sync_wait.hpp"

namespace basalt::auth {
namespace {

using namespace std::chrono_literals;
using db::testing::sync_wait;

class SignInThrottleTest : public ::testing::Test {
 protected:
  // The defaults: 20 failures per address, 5 per (address, identity), per minute.
  MemoryRateLimiter address_{{.limit = {20, 60s}}};
  MemoryRateLimiter address_identity_{{.limit = {5, 60s}}};
  core::ManualClock clock_;
  SignInThrottle throttle_{address_, address_identity_, clock_};

  // The wait of a refused attempt, or nullopt when it was let through (and counted).
  std::optional<std::chrono::seconds> refused(std::string_view address, std::string_view identity) {
    try {
      sync_wait(throttle_.charge(address, "pbc_1", identity));
      return std::nullopt;
    } catch (const TooManyAttempts& error) {
      EXPECT_EQ(error.status(), 429);
      EXPECT_EQ(error.message(), "Too Many Requests.");
      return std::chrono::seconds(error.retry_after());
    }
  }

  void fail(std::string_view address, std::string_view identity, int times) {
    for (int i = 0; i < times; ++i) ASSERT_FALSE(refused(address, identity));
  }
};

TEST_F(SignInThrottleTest, FailuresFromOneAddressNeverRefuseAnother) {
  fail("10.0.0.1", "admin@example.com", 5);
  EXPECT_TRUE(refused("10.0.0.1", "admin@example.com"));
  // The owner, elsewhere: not affected, however often the attacker keeps trying.
  for (int i = 0; i < 50; ++i) EXPECT_TRUE(refused("10.0.0.1", "admin@example.com"));
  EXPECT_FALSE(refused("10.0.0.2", "admin@example.com"));
}

TEST_F(SignInThrottleTest, IdentitiesCompareWithoutCase) {
  fail("10.0.0.1", "Admin@Example.com", 5);
  EXPECT_TRUE(refused("10.0.0.1", "admin@example.com"));
}

TEST_F(SignInThrottleTest, RetryAfterIsTheTimeUntilOneMoreFailureMayBeSpent) {
  fail("10.0.0.1", "a@example.com", 5);  // 5 per minute: one more every 12 s
  EXPECT_EQ(refused("10.0.0.1", "a@example.com"), 12s);
  clock_.advance(11s + 500ms);
  EXPECT_EQ(refused("10.0.0.1", "a@example.com"), 1s);  // rounded up
  clock_.advance(500ms);
  EXPECT_FALSE(refused("10.0.0.1", "a@example.com"));
}

TEST_F(SignInThrottleTest, AnAddressTryingManyIdentitiesIsSlowedDown) {
  for (int i = 0; i < 20; ++i) fail("10.0.0.1", "user" + std::to_string(i) + "@example.com", 1);
  EXPECT_TRUE(refused("10.0.0.1", "fresh@example.com"));
  EXPECT_FALSE(refused("10.0.0.2", "fresh@example.com"));
}

TEST_F(SignInThrottleTest, ARefusalByTheAddressLimitCountsNothingForTheIdentity) {
  for (int i = 0; i < 20; ++i) fail("10.0.0.1", "user" + std::to_string(i) + "@example.com", 1);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(refused("10.0.0.1", "target@example.com"));
  EXPECT_EQ(address_identity_.tracked_keys(), 20u);  // the 20 users; "target" holds nothing
}

TEST_F(SignInThrottleTest, ASuccessIsRefunded) {
  fail("10.0.0.1", "a@example.com", 4);
  for (int i = 0; i < 20; ++i) {
    const SignInCharge charge = sync_wait(throttle_.charge("10.0.0.1", "pbc_1", "a@example.com"));
    sync_wait(throttle_.refund(charge));  // the correct password: never uses up the limit
  }
  fail("10.0.0.1", "a@example.com", 1);
  EXPECT_TRUE(refused("10.0.0.1", "a@example.com"));
}

TEST_F(SignInThrottleTest, CollectionsAreSeparate) {
  fail("10.0.0.1", "a@example.com", 5);
  EXPECT_NO_THROW(sync_wait(throttle_.charge("10.0.0.1", "pbc_2", "a@example.com")));
}

}  // namespace
}  // namespace basalt::auth
