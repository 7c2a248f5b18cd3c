#include "basalt/auth/memory_rate_limiter.hpp"

#include <sodium.h>

#include <algorithm>
#include <functional>
#include <list>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "basalt/auth/sodium.hpp"

namespace basalt::auth {
namespace {

using TimePoint = RateLimiter::Clock::time_point;

// Whole seconds until `wait` has passed, at least one (Retry-After has no finer unit).
std::chrono::seconds seconds_up(RateLimiter::Clock::duration wait) {
  auto seconds = std::chrono::ceil<std::chrono::seconds>(wait);
  return std::max(seconds, std::chrono::seconds(1));
}

}  // namespace

std::string bounded_limit_key(std::string_view key) {
  if (key.size() <= kMaxKeyBytes) return std::string(key);
  init_sodium();
  unsigned char digest[16];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(key.data()),
                     key.size(), nullptr, 0);
  std::string hex(sizeof digest * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), digest, sizeof digest);
  hex.pop_back();
  return hex;
}

struct MemoryRateLimiter::Shard {
  struct Entry {
    std::string key;
    TimePoint full_until;
  };
  using Recency = std::list<Entry>;  // most recently touched first

  // The entry for `key` moved to the front, or nullptr.
  Entry* touch(std::string_view key) {
    auto it = index.find(key);
    if (it == index.end()) return nullptr;
    recency.splice(recency.begin(), recency, it->second);
    return &*it->second;
  }

  void drop_drained(TimePoint now) {
    while (!recency.empty() && recency.back().full_until <= now) drop_back();
  }

  void drop_back() {
    index.erase(recency.back().key);
    recency.pop_back();
  }

  void erase(std::string_view key) {
    auto it = index.find(key);
    if (it == index.end()) return;
    Recency::iterator entry = it->second;
    index.erase(it);
    recency.erase(entry);
  }

  Entry& insert(std::string key, TimePoint full_until, std::size_t capacity) {
    while (recency.size() >= capacity) drop_back();
    recency.push_front(Entry{std::move(key), full_until});
    index.emplace(recency.front().key, recency.begin());
    return recency.front();
  }

  std::mutex mutex;
  Recency recency;
  // Keys are views into the list's entries, whose addresses never change.
  std::unordered_map<std::string_view, Recency::iterator> index;
};

MemoryRateLimiter::MemoryRateLimiter(MemoryRateLimiterOptions options)
    : limit_(options.limit), shard_count_(options.shards) {
  if (options.max_keys == 0 || options.shards == 0) {
    throw std::invalid_argument("MemoryRateLimiter needs at least one key and one shard");
  }
  if (limit_.max_failures > 0 && limit_.window <= std::chrono::seconds::zero()) {
    throw std::invalid_argument("rate limit window must be positive");
  }
  if (limit_.max_failures > 0) {
    interval_ = std::chrono::duration_cast<Clock::duration>(limit_.window) / limit_.max_failures;
  }
  keys_per_shard_ = (options.max_keys + shard_count_ - 1) / shard_count_;
  shards_ = std::make_unique<Shard[]>(shard_count_);
}

MemoryRateLimiter::~MemoryRateLimiter() = default;

MemoryRateLimiter::Shard& MemoryRateLimiter::shard_for(std::string_view key) const {
  return shards_[std::hash<std::string_view>{}(key) % shard_count_];
}

Admission MemoryRateLimiter::try_acquire(std::string_view key, Clock::time_point now) {
  if (limit_.max_failures == 0) return {};
  std::string stored = bounded_limit_key(key);
  Shard& shard = shard_for(stored);
  std::lock_guard lock(shard.mutex);
  shard.drop_drained(now);
  if (Shard::Entry* entry = shard.touch(stored)) {
    TimePoint next = std::max(entry->full_until, now) + interval_;
    // Refused until next - window, when one interval has drained (invariant 1).
    if (next - now > limit_.window) return {false, seconds_up(next - limit_.window - now)};
    entry->full_until = next;
    return {};
  }
  shard.insert(std::move(stored), now + interval_, keys_per_shard_);
  return {};
}

void MemoryRateLimiter::refund(std::string_view key, Clock::time_point now) {
  if (limit_.max_failures == 0) return;
  std::string stored = bounded_limit_key(key);
  Shard& shard = shard_for(stored);
  std::lock_guard lock(shard.mutex);
  auto it = shard.index.find(stored);
  if (it == shard.index.end()) return;
  Shard::Entry& entry = *it->second;
  entry.full_until -= interval_;
  if (entry.full_until <= now) shard.erase(stored);
}

std::size_t MemoryRateLimiter::tracked_keys() const {
  std::size_t total = 0;
  for (unsigned i = 0; i < shard_count_; ++i) {
    std::lock_guard lock(shards_[i].mutex);
    total += shards_[i].index.size();
  }
  return total;
}

}  // namespace basalt::auth
