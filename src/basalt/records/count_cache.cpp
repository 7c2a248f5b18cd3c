#include "basalt/records/count_cache.hpp"

#include "basalt/metrics/thread_block.hpp"

#include <cstring>
#include <variant>

namespace basalt::records {

std::string count_key(std::string_view sql, const db::Params& params) {
  std::string key(sql);
  for (const db::Value& value : params) {
    key.push_back('\0');
    key.push_back(static_cast<char>('0' + value.index()));
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>) {
            char bytes[sizeof(T)];
            std::memcpy(bytes, &v, sizeof(T));  // exact: -0.0 and 0.0 stay apart
            key.append(bytes, sizeof(T));
          } else if constexpr (std::is_same_v<T, std::string>) {
            key += std::to_string(v.size()) + ':' + v;
          } else if constexpr (std::is_same_v<T, db::Blob>) {
            key += std::to_string(v.bytes.size()) + ':' + v.bytes;
          }
        },
        value);
  }
  return key;
}

CountCache::CountCache(Limits limits) : limits_(limits) {}

std::variant<std::int64_t, CountCache::Pending> CountCache::find(std::string_view sql,
                                                                 const db::Params& params,
                                                                 db::Database& database) {
  Pending pending;
  if (limits_.max_entries == 0) return pending;
  pending.key_ = count_key(sql, params);
  if (pending.key_.size() > limits_.max_bytes / 4) return pending;

  std::optional<Entry> cached;
  {
    std::lock_guard lock(mutex_);
    if (auto found = entries_.find(pending.key_); found != entries_.end()) {
      recency_.splice(recency_.begin(), recency_, found->second.recency);
      cached = found->second;
    }
  }
  if (cached) {
    pending.reads_ = cached->reads;
  } else {
    db::ReadSet reads = database.read_set(sql);
    if (!reads.cacheable) return pending;
    pending.reads_ = std::make_shared<const std::vector<std::string>>(std::move(reads.tables));
  }
  pending.stamp_ = database.versions().stamp(*pending.reads_);
  const bool hit = cached && cached->stamp == pending.stamp_;
  if (metrics::enabled()) {
    metrics::ThreadBlock& block = metrics::local();
    (hit ? block.cache_hits : block.cache_misses)[metrics::index(metrics::Cache::kCount)].add();
  }
  if (hit) return cached->count;
  return pending;
}

void CountCache::store(Pending pending, std::int64_t count) {
  if (!pending.cacheable()) return;
  std::lock_guard lock(mutex_);
  auto [at, inserted] = entries_.try_emplace(std::move(pending.key_));
  Entry& entry = at->second;
  if (inserted) {
    recency_.push_front(at->first);
    entry.recency = recency_.begin();
  } else {
    bytes_ -= bytes_of(at->first, entry);
    recency_.splice(recency_.begin(), recency_, entry.recency);
  }
  entry.reads = std::move(pending.reads_);
  entry.stamp = std::move(pending.stamp_);
  entry.count = count;
  bytes_ += bytes_of(at->first, entry);
  evict_until_within_limits();
}

std::size_t CountCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::size_t CountCache::bytes_of(const std::string& key, const Entry& entry) const {
  // The key is held twice (map and recency list); table names are shared between entries of
  // one statement but counted for each, which only errs towards evicting early.
  std::size_t bytes = 2 * key.size() + entry.stamp.size() * sizeof(std::uint64_t);
  for (const std::string& table : *entry.reads) bytes += table.size();
  return bytes;
}

void CountCache::evict_until_within_limits() {
  while (!recency_.empty() &&
         (entries_.size() > limits_.max_entries || bytes_ > limits_.max_bytes)) {
    auto oldest = entries_.find(recency_.back());
    bytes_ -= bytes_of(oldest->first, oldest->second);
    entries_.erase(oldest);
    recency_.pop_back();
  }
}

}  // namespace basalt::records
