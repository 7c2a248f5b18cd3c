// MemoryRateLimiter: the burst and the refill, refunds, independent keys, bounded memory
// (drained keys dropped, least recently touched evicted at the cap), long keys, and exact
// counting under concurrent callers. Time is a variable the test moves; nothing sleeps.
#include "basalt/auth/memory_rate_limiter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace basalt::auth {
namespace {

using namespace std::chrono_literals;
using Clock = RateLimiter::Clock;

const Clock::time_point kStart = Clock::time_point(1000h);

// How many attempts in a row try_acquire lets through at `now`.
int drain(MemoryRateLimiter& limiter, std::string_view key, Clock::time_point now, int attempts = 100) {
  int passed = 0;
  for (int i = 0; i < attempts; ++i) passed += limiter.try_acquire(key, now) ? 1 : 0;
  return passed;
}

MemoryRateLimiter five_per_minute(std::size_t max_keys = 1000, unsigned shards = 16) {
  return MemoryRateLimiter({.limit = {5, 60s}, .max_keys = max_keys, .shards = shards});
}

TEST(MemoryRateLimiterTest, ABurstOfTheLimitThenRefused) {
  auto limiter = five_per_minute();
  EXPECT_EQ(drain(limiter, "ip:1.2.3.4", kStart), 5);
  EXPECT_FALSE(limiter.try_acquire("ip:1.2.3.4", kStart + 11s));
}

TEST(MemoryRateLimiterTest, OneMoreFailureEveryWindowOverLimit) {
  auto limiter = five_per_minute();
  EXPECT_EQ(drain(limiter, "k", kStart), 5);
  EXPECT_EQ(drain(limiter, "k", kStart + 11s), 0);
  EXPECT_EQ(drain(limiter, "k", kStart + 12s), 1);
  EXPECT_EQ(drain(limiter, "k", kStart + 12s + 11s), 0);
  EXPECT_EQ(drain(limiter, "k", kStart + 24s), 1);
}

TEST(MemoryRateLimiterTest, RefusedAttemptsCostNothing) {
  auto limiter = five_per_minute();
  EXPECT_EQ(drain(limiter, "k", kStart), 5);
  EXPECT_EQ(drain(limiter, "k", kStart + 1s, 1000), 0);  // hammering does not push it back
  EXPECT_EQ(drain(limiter, "k", kStart + 12s), 1);
}

TEST(MemoryRateLimiterTest, AKeyIsCleanAWindowAfterItsLastFailure) {
  auto limiter = five_per_minute();
  EXPECT_EQ(drain(limiter, "k", kStart), 5);
  EXPECT_EQ(drain(limiter, "k", kStart + 60s), 5);
  EXPECT_EQ(drain(limiter, "k", kStart + 60s + 59s), 4);
}

TEST(MemoryRateLimiterTest, RefundGivesTheAttemptBack) {
  auto limiter = five_per_minute();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(limiter.try_acquire("k", kStart));  // successful logins never use up the limit
    limiter.refund("k", kStart);
  }
  EXPECT_EQ(limiter.tracked_keys(), 0u);  // a key back at zero is not kept
  EXPECT_EQ(drain(limiter, "k", kStart), 5);
  limiter.refund("k", kStart);
  EXPECT_EQ(drain(limiter, "k", kStart), 1);
  limiter.refund("unknown", kStart);  // harmless
}

TEST(MemoryRateLimiterTest, KeysAreIndependent) {
  auto limiter = five_per_minute();
  EXPECT_EQ(drain(limiter, "ip:1.2.3.4", kStart), 5);
  EXPECT_EQ(drain(limiter, "ip:1.2.3.5", kStart), 5);
  EXPECT_EQ(drain(limiter, "id:users:a@b.c", kStart), 5);
  EXPECT_EQ(drain(limiter, "ip:1.2.3.4", kStart), 0);
}

TEST(MemoryRateLimiterTest, ALimitOfZeroIsOff) {
  MemoryRateLimiter limiter({.limit = {0, 60s}});
  EXPECT_EQ(drain(limiter, "k", kStart, 1000), 1000);
  EXPECT_EQ(limiter.tracked_keys(), 0u);
}

TEST(MemoryRateLimiterTest, DrainedKeysAreDropped) {
  auto limiter = five_per_minute(1000, 1);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(limiter.try_acquire(std::to_string(i), kStart));
  EXPECT_EQ(limiter.tracked_keys(), 100u);
  // One failure drains in 12 s; the next call into the shard drops what has drained.
  ASSERT_TRUE(limiter.try_acquire("fresh", kStart + 12s));
  EXPECT_EQ(limiter.tracked_keys(), 1u);
}

TEST(MemoryRateLimiterTest, AtTheCapTheLeastRecentlyTouchedKeyIsForgotten) {
  auto limiter = five_per_minute(3, 1);
  EXPECT_EQ(drain(limiter, "a", kStart), 5);
  EXPECT_EQ(drain(limiter, "b", kStart), 5);
  EXPECT_EQ(drain(limiter, "c", kStart), 5);
  EXPECT_FALSE(limiter.try_acquire("a", kStart + 1s));  // touching "a" makes "b" the oldest
  EXPECT_TRUE(limiter.try_acquire("d", kStart + 1s));   // evicts "b"
  EXPECT_EQ(limiter.tracked_keys(), 3u);
  EXPECT_EQ(drain(limiter, "a", kStart + 1s), 0);
  EXPECT_EQ(drain(limiter, "c", kStart + 1s), 0);
  EXPECT_EQ(drain(limiter, "b", kStart + 1s), 5);  // forgotten: a fresh allowance
}

TEST(MemoryRateLimiterTest, MemoryStaysBoundedUnderAFloodOfKeys) {
  auto limiter = five_per_minute(64, 4);
  for (int i = 0; i < 10'000; ++i) limiter.try_acquire("flood:" + std::to_string(i), kStart);
  EXPECT_LE(limiter.tracked_keys(), 64u);
}

TEST(MemoryRateLimiterTest, LongKeysAreCountedByDigest) {
  auto limiter = five_per_minute();
  const std::string base(kMaxKeyBytes + 100, 'x');
  EXPECT_EQ(drain(limiter, base + "1", kStart), 5);
  EXPECT_EQ(drain(limiter, base + "1", kStart), 0);
  EXPECT_EQ(drain(limiter, base + "2", kStart), 5);  // differs only past the cut: still distinct
}

TEST(MemoryRateLimiterTest, ConcurrentAttemptsNeverExceedTheLimit) {
  MemoryRateLimiter limiter({.limit = {50, 60s}, .max_keys = 1000, .shards = 4});
  std::atomic<int> passed{0};
  std::atomic<int> other_passed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        if (limiter.try_acquire("shared", kStart)) ++passed;
        if (limiter.try_acquire("other", kStart)) ++other_passed;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(passed.load(), 50);
  EXPECT_EQ(other_passed.load(), 50);
}

TEST(MemoryRateLimiterTest, BadOptionsAreRejected) {
  EXPECT_THROW(MemoryRateLimiter({.limit = {5, 60s}, .max_keys = 0}), std::invalid_argument);
  EXPECT_THROW(MemoryRateLimiter({.limit = {5, 60s}, .shards = 0}), std::invalid_argument);
  EXPECT_THROW(MemoryRateLimiter({.limit = {5, 0s}}), std::invalid_argument);
}

}  // namespace
}  // namespace basalt::auth
