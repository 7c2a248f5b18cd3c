#include "basalt/auth/auth_record_cache.hpp"

#include "basalt/metrics/thread_block.hpp"

#include <algorithm>
#include <utility>

namespace basalt::auth {
namespace {

std::atomic<std::uint64_t> next_cache_id{1};

std::string key_of(std::string_view collection_id, std::string_view record_id) {
  std::string key;
  key.reserve(collection_id.size() + 1 + record_id.size());
  key.append(collection_id).push_back('\0');
  key.append(record_id);
  return key;
}

// The calling thread's shards, one per cache it used (a process has one cache per server; tests
// make a few). Ids are never reused, so an entry of a destroyed cache never matches.
struct ThreadShards {
  struct Slot {
    std::uint64_t cache_id;
    AuthRecordCache::Shard* shard;
  };
  std::vector<Slot> slots;
};

thread_local ThreadShards this_thread_shards;

}  // namespace

AuthRecordCache::AuthRecordCache(std::size_t capacity, std::size_t log_capacity)
    : id_(next_cache_id.fetch_add(1, std::memory_order_relaxed)),
      capacity_(capacity),
      log_capacity_(std::max<std::size_t>(log_capacity, 1)) {}

AuthRecordCache::~AuthRecordCache() = default;

AuthRecordCache::Shard& AuthRecordCache::for_this_thread() {
  for (const auto& slot : this_thread_shards.slots) {
    if (slot.cache_id == id_) return *slot.shard;
  }
  auto shard = std::unique_ptr<Shard>(new Shard(*this));
  Shard* raw = shard.get();
  {
    std::lock_guard lock(shards_mutex_);
    shards_.push_back(std::move(shard));
  }
  this_thread_shards.slots.push_back({id_, raw});
  return *raw;
}

void AuthRecordCache::invalidate(std::string_view collection_id, std::string_view record_id) {
  std::lock_guard lock(log_mutex_);
  const std::uint64_t position = published_.load(std::memory_order_relaxed) + 1;
  log_.push_back({position, key_of(collection_id, record_id)});
  if (log_.size() > log_capacity_) log_.pop_front();
  // Release: a shard that sees `position` finds the entry in the log under the mutex.
  published_.store(position, std::memory_order_release);
}

void AuthRecordCache::invalidate_all() {
  std::lock_guard lock(log_mutex_);
  const std::uint64_t position = published_.load(std::memory_order_relaxed) + 1;
  log_.push_back({position, std::string()});  // the empty key: every entry (drain())
  if (log_.size() > log_capacity_) log_.pop_front();
  published_.store(position, std::memory_order_release);
}

void AuthRecordCache::Shard::sync(const std::shared_ptr<const collections::Catalog>& catalog) {
  drain();
  if (!catalog || (catalog_ && catalog->version() <= catalog_->version())) return;
  if (catalog_ && !entries_.empty()) {
    // Compare each collection once; entries of one collection are usually many.
    std::unordered_map<std::string_view, bool> changed;
    for (auto it = entries_.begin(); it != entries_.end();) {
      auto [verdict, fresh] = changed.try_emplace(it->collection_id, false);
      if (fresh) {
        const schema::Collection* before = catalog_->find(it->collection_id);
        const schema::Collection* after = catalog->find(it->collection_id);
        verdict->second = !before || !after || after->id != it->collection_id || *before != *after;
      }
      if (verdict->second) {
        index_.erase(it->key);
        it = entries_.erase(it);
      } else {
        ++it;
      }
    }
  }
  catalog_ = catalog;
}

const CachedAuthRecord* AuthRecordCache::Shard::find(std::string_view collection_id,
                                                     std::string_view record_id) {
  const CachedAuthRecord* entry = nullptr;
  if (!entries_.empty()) {
    auto found = index_.find(key_of(collection_id, record_id));
    if (found != index_.end()) {
      entries_.splice(entries_.begin(), entries_, found->second);
      entry = &found->second->value;
    }
  }
  if (metrics::enabled()) {  // the shard's thread owns this block too
    metrics::ThreadBlock& block = metrics::local();
    (entry ? block.cache_hits : block.cache_misses)[metrics::index(metrics::Cache::kAuthRecord)]
        .add();
  }
  return entry;
}

void AuthRecordCache::Shard::insert(const Ticket& ticket, std::string_view collection_id,
                                    std::string_view record_id, CachedAuthRecord entry) {
  if (owner_.capacity_ == 0) return;
  drain();
  const std::uint64_t version = catalog_ ? catalog_->version() : 0;
  if (cursor_ != ticket.log_position || version != ticket.catalog_version) return;
  std::string key = key_of(collection_id, record_id);
  erase(key);
  entries_.push_front({std::move(key), std::string(collection_id), std::move(entry)});
  index_.emplace(entries_.front().key, entries_.begin());
  if (entries_.size() > owner_.capacity_) {
    index_.erase(entries_.back().key);
    entries_.pop_back();
  }
}

void AuthRecordCache::Shard::drain() {
  const std::uint64_t published = owner_.published_.load(std::memory_order_acquire);
  if (published == cursor_) return;
  std::vector<std::string> keys;
  bool lost = false;  // the log no longer holds everything past cursor_
  {
    std::lock_guard lock(owner_.log_mutex_);
    const auto& log = owner_.log_;
    lost = log.empty() || log.front().position > cursor_ + 1;
    if (!lost && !entries_.empty()) {
      // Positions are consecutive, so the first unseen one is found by arithmetic.
      for (auto i = cursor_ + 1 - log.front().position; i < log.size(); ++i) {
        keys.push_back(log[i].key);
      }
    }
    cursor_ = owner_.published_.load(std::memory_order_relaxed);
  }
  if (lost) {
    clear();
    return;
  }
  for (const auto& key : keys) {
    if (key.empty()) {  // invalidate_all()
      clear();
      return;
    }
    erase(key);
  }
}

void AuthRecordCache::Shard::erase(const std::string& key) {
  auto found = index_.find(key);
  if (found == index_.end()) return;
  auto it = found->second;
  index_.erase(found);
  entries_.erase(it);
}

void AuthRecordCache::Shard::clear() {
  index_.clear();
  entries_.clear();
}

}  // namespace basalt::auth
