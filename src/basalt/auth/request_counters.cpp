#include "basalt/auth/request_counters.hpp"

#include <functional>
#include <limits>
#include <list>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>

namespace basalt::auth {

namespace {

struct Window {
  std::string key;
  std::int64_t available = 0;
  std::int64_t last_consume = std::numeric_limits<std::int64_t>::min() / 2;  // never
};

}  // namespace

struct RequestCounters::Shard {
  std::mutex mutex;
  std::list<Window> recency;  // most recently used first
  std::unordered_map<std::string_view, std::list<Window>::iterator> index;  // views into recency
};

RequestCounters::RequestCounters(std::size_t max_keys, unsigned shards) {
  if (max_keys == 0 || shards == 0) {
    throw std::invalid_argument("RequestCounters needs at least one key and one shard");
  }
  shard_count_ = shards;
  keys_per_shard_ = (max_keys + shards - 1) / shards;
  shards_ = std::make_unique<Shard[]>(shards);
}

RequestCounters::~RequestCounters() = default;

bool RequestCounters::consume(std::string_view key, std::int64_t max_requests,
                              std::int64_t duration_seconds, std::int64_t now_seconds) {
  Shard& shard = shards_[std::hash<std::string_view>{}(key) % shard_count_];
  std::lock_guard lock(shard.mutex);
  auto found = shard.index.find(key);
  std::list<Window>::iterator window;
  if (found != shard.index.end()) {
    window = found->second;
    shard.recency.splice(shard.recency.begin(), shard.recency, window);
  } else {
    if (shard.recency.size() >= keys_per_shard_) {
      shard.index.erase(shard.recency.back().key);
      shard.recency.pop_back();
    }
    shard.recency.push_front(Window{std::string(key)});
    window = shard.recency.begin();
    shard.index.emplace(window->key, window);
  }
  if (now_seconds - window->last_consume >= duration_seconds) window->available = max_requests;
  if (window->available <= 0) return false;
  --window->available;
  window->last_consume = now_seconds;
  return true;
}

void RequestCounters::clear() {
  for (unsigned i = 0; i < shard_count_; ++i) {
    std::lock_guard lock(shards_[i].mutex);
    shards_[i].index.clear();
    shards_[i].recency.clear();
  }
}

std::size_t RequestCounters::tracked_keys() const {
  std::size_t total = 0;
  for (unsigned i = 0; i < shard_count_; ++i) {
    std::lock_guard lock(shards_[i].mutex);
    total += shards_[i].recency.size();
  }
  return total;
}

}  // namespace basalt::auth
