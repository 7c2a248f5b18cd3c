// AuthRecordCache: the auth records that tokens were verified against, kept per worker thread
// so that an authenticated request needs no database read (docs/architecture.md, "Auth").
//
// Each thread that authenticates gets its own Shard: an LRU of at most `capacity` entries
// keyed by (collection id, record id), each holding the stored record (whose tokenKey the
// signature check needs) and the collection's authRule verdict on it. The token's signature
// and expiry are still checked on every request; the cache only replaces the read.
//
// Invalidation, from any thread:
//   - invalidate(collection, record) appends to one shared, bounded log and bumps `published_`
//     (under log_mutex_). A shard compares `published_` with its own cursor before every use
//     and, only when they differ, takes the mutex and drops the logged keys it has not seen; a
//     shard that fell further behind than the log holds drops everything.
//   - a new catalog version: before every use the shard compares the definitions of the
//     collections it holds entries of with the new snapshot and drops the entries of every
//     collection that changed or disappeared (rules, secrets, fields: any difference).
//
// Invariants:
//   1. A Shard is touched only by the thread it belongs to (found through a thread_local
//      index); the cache owns every shard (shards_, under shards_mutex_) until it is destroyed.
//   2. The hot path (a hit with nothing new logged and the same catalog) takes no lock: one
//      atomic load and one hash lookup.
//   3. An entry is never stale after the invalidation of its key returned: an insert carries the
//      Ticket taken before its record was read, and is dropped when anything was logged or the
//      catalog changed since (the read may have seen the record before the change).
//   4. Every cache has a process-unique id, so a thread's index never hands out a shard of a
//      destroyed cache to a new one created at the same address.
#pragma once

#include <atomic>
#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "basalt/auth/jwt.hpp"
#include "basalt/collections/catalog.hpp"

namespace basalt::auth {

struct CachedAuthRecord {
  std::shared_ptr<const boost::json::object> record;  // every field, as stored
  // The record's tokenKey + the collection's auth token secret, prepared (tokens.hpp): valid
  // as long as the entry, since a change of either drops it.
  std::shared_ptr<const JwtKey> auth_key;
  bool auth_rule_allows = false;  // the collection's authRule on it
};

class AuthRecordCache {
 public:
  // What a shard had seen when a record read began (invariant 3).
  struct Ticket {
    std::uint64_t log_position = 0;
    std::uint64_t catalog_version = 0;
  };

  class Shard {
   public:
    // Applies what was logged since the last call and, when `catalog` is newer than the last
    // one seen, drops the entries of collections it changed. Call before find() with the
    // snapshot the request works on.
    void sync(const std::shared_ptr<const collections::Catalog>& catalog);
    // The entry of that record (now the most recently used), or null.
    const CachedAuthRecord* find(std::string_view collection_id, std::string_view record_id);
    Ticket ticket() const noexcept { return {cursor_, catalog_ ? catalog_->version() : 0}; }
    // Keeps `entry` unless anything was invalidated or the catalog changed since `ticket`.
    void insert(const Ticket& ticket, std::string_view collection_id, std::string_view record_id,
                CachedAuthRecord entry);
    std::size_t size() const noexcept { return entries_.size(); }

   private:
    friend class AuthRecordCache;
    explicit Shard(AuthRecordCache& owner) : owner_(owner) {}
    void drain();
    void erase(const std::string& key);
    void clear();

    struct Entry {
      std::string key;            // collection id + '\0' + record id
      std::string collection_id;  // to find the entries of a changed collection
      CachedAuthRecord value;
    };
    AuthRecordCache& owner_;
    std::uint64_t cursor_ = 0;  // the last log position applied
    std::shared_ptr<const collections::Catalog> catalog_;
    std::list<Entry> entries_;  // most recently used first
    std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;
  };

  // `capacity`: entries per thread; 0 turns caching off (every lookup misses). `log_capacity`:
  // invalidations kept for shards that have not caught up yet (at least 1).
  explicit AuthRecordCache(std::size_t capacity, std::size_t log_capacity = 4096);
  ~AuthRecordCache();
  AuthRecordCache(const AuthRecordCache&) = delete;
  AuthRecordCache& operator=(const AuthRecordCache&) = delete;

  // The calling thread's shard, created on its first call (invariant 1).
  Shard& for_this_thread();

  // Any thread: every shard drops that record before its next use.
  void invalidate(std::string_view collection_id, std::string_view record_id);
  // Any thread: every shard drops all of its entries before its next use (the cluster bus was
  // down: changes made by other instances meanwhile are unknown, docs/scaling.md).
  void invalidate_all();

  std::size_t capacity() const noexcept { return capacity_; }

 private:
  struct Invalidation {
    std::uint64_t position;
    std::string key;
  };

  const std::uint64_t id_;
  const std::size_t capacity_;
  const std::size_t log_capacity_;
  std::atomic<std::uint64_t> published_{0};  // the position of the newest invalidation
  mutable std::mutex log_mutex_;             // guards log_ and writes of published_
  std::deque<Invalidation> log_;             // oldest first, at most log_capacity_
  std::mutex shards_mutex_;                  // guards shards_
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace basalt::auth
