// CountCache: the totals of list requests, so that a dashboard repeating the same list does
// not count the same rows again while nothing they are counted from has changed.
//
// An entry is keyed by the COUNT statement's SQL and bound parameters (which hold everything
// request-dependent: the caller's id in a rule, @now, the filter's values) and remembers the
// tables the statement reads (db::Database::read_set: its table, joins, rule subqueries) and
// their versions (db::DataVersions) stamped *before* the count ran. It is reused only while
// those versions are unchanged, so a count never outlives a commit that wrote what it reads.
// Statements that read through a view are never cached (a view may depend on the clock).
//
// Thread-safety: one instance is shared by every I/O thread; all state is under mutex_, held
// only for map operations (never while a statement prepares or runs).
//
// Bounds: at most max_entries entries and max_bytes of keys and table names together; the
// least recently used go first. A key longer than a quarter of max_bytes is not cached.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "basalt/db/database.hpp"

namespace basalt::records {

class CountCache {
 public:
  struct Limits {
    std::size_t max_entries = 1000;  // 0 turns the cache off
    std::size_t max_bytes = 1 << 20;
  };

  // A count to run, and what to store it under once run.
  class Pending {
   public:
    bool cacheable() const noexcept { return reads_ != nullptr; }

   private:
    friend class CountCache;
    std::string key_;
    std::shared_ptr<const std::vector<std::string>> reads_;  // null: not to be stored
    std::vector<std::uint64_t> stamp_;
  };

  explicit CountCache(Limits limits);
  CountCache() : CountCache(Limits{}) {}

  // The cached total of `sql` with `params` when nothing it reads changed since it was
  // counted; otherwise a Pending whose versions are stamped now, before the caller runs the
  // COUNT. May prepare `sql` (read_set) on the calling thread; throws what that throws.
  std::variant<std::int64_t, Pending> find(std::string_view sql, const db::Params& params,
                                           db::Database& database);
  // Remembers `count`, computed after find() returned `pending`.
  void store(Pending pending, std::int64_t count);

  std::size_t size() const;

 private:
  struct Entry {
    std::shared_ptr<const std::vector<std::string>> reads;
    std::vector<std::uint64_t> stamp;
    std::int64_t count = 0;
    std::list<std::string>::iterator recency;  // into recency_
  };

  std::size_t bytes_of(const std::string& key, const Entry& entry) const;
  void evict_until_within_limits();  // mutex_ held

  const Limits limits_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;  // guarded by mutex_
  std::list<std::string> recency_;                  // guarded by mutex_: most recent first
  std::size_t bytes_ = 0;                           // guarded by mutex_
};

// The cache key of a statement: its SQL, then each parameter as its kind and exact bytes.
std::string count_key(std::string_view sql, const db::Params& params);

}  // namespace basalt::records
