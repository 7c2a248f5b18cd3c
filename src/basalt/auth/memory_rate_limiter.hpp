// MemoryRateLimiter: the RateLimiter of one process, in memory.
//
// Invariants:
//  1. Per key it keeps one instant, `full_until` (GCRA's "theoretical arrival time"): the key's
//     failures have all drained at that instant. An attempt costs `interval = window /
//     max_failures`; it passes when max(full_until, now) + interval - now <= window, and then
//     moves full_until to that sum. A key whose full_until <= now holds nothing and is dropped.
//  2. Keys are spread over `shards` shards by hash, each a mutex, a map and a recency list
//     (most recently touched first); a call locks exactly one shard.
//  3. Memory is bounded: each shard tracks at most ceil(max_keys / shards) keys, and keys
//     longer than kMaxKeyBytes are stored as a 32-character BLAKE2b digest. Drained keys are
//     dropped from the cold end of the recency list whenever a shard is touched. When a shard
//     is full of live keys, a new key evicts the least recently touched one: under a flood of
//     distinct keys the limiter forgets old counts (fails open for them) rather than refusing
//     new keys, which would lock every legitimate client out.
//  4. Time comes only from the `now` arguments (a monotonic clock); nothing sleeps or reads a
//     clock here, so tests drive time directly.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "basalt/auth/rate_limiter.hpp"

namespace basalt::auth {

struct MemoryRateLimiterOptions {
  RateLimit limit;
  std::size_t max_keys = 100'000;  // across all shards; at least 1
  unsigned shards = 16;            // at least 1
};

class MemoryRateLimiter final : public RateLimiter {
 public:
  // Throws std::invalid_argument when max_keys or shards is 0, or the window is not positive
  // while the limit is on.
  explicit MemoryRateLimiter(MemoryRateLimiterOptions options);
  ~MemoryRateLimiter() override;

  // RateLimiter's acquire() and release(), answered at once (they are these).
  Admission try_acquire(std::string_view key, Clock::time_point now);
  void refund(std::string_view key, Clock::time_point now);

  boost::asio::awaitable<Admission> acquire(std::string key, Clock::time_point now) override {
    co_return try_acquire(key, now);
  }
  boost::asio::awaitable<void> release(std::string key, Clock::time_point now) override {
    refund(key, now);
    co_return;
  }

  // Keys currently held, drained or not (for tests and metrics).
  std::size_t tracked_keys() const;

 private:
  struct Shard;
  Shard& shard_for(std::string_view stored_key) const;

  RateLimit limit_;
  Clock::duration interval_{};
  std::size_t keys_per_shard_ = 0;
  unsigned shard_count_ = 0;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace basalt::auth
