// RequestCounters: the per-client counters of settings.rateLimits (docs/auth-flows.md, "Rate
// limits"), with PocketBase's fixed-window semantics (apis/middlewares_rate_limit.go): a key
// gets `max_requests` requests; a request `duration` seconds or more after the key's last
// allowed request refills it to `max_requests` first. A refused request changes nothing.
//
// Invariants:
//  1. Keys are spread over shards by hash, each a mutex, a map and a recency list; a call locks
//     exactly one shard, so requests on different workers rarely meet (no global lock).
//  2. Memory is bounded: each shard holds at most ceil(max_keys / shards) keys; a new key
//     evicts the least recently used one (its client simply starts a fresh window: under a
//     flood of distinct addresses the limiter forgets rather than refuses). Keys longer than
//     kMaxCounterKeyBytes are refused by the caller's construction (they are built from a rule,
//     a route and an address).
//  3. Time comes only from the `now` argument (monotonic seconds); nothing reads a clock here.
// Thread safety: every member may be called from any thread at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace basalt::auth {

class RequestCounters {
 public:
  // Throws std::invalid_argument when max_keys or shards is 0.
  explicit RequestCounters(std::size_t max_keys = 100'000, unsigned shards = 32);
  ~RequestCounters();

  // Whether a request under `key` is allowed at `now_seconds` (and counts it when it is).
  bool consume(std::string_view key, std::int64_t max_requests, std::int64_t duration_seconds,
               std::int64_t now_seconds);

  // Drops every counter (the rules changed).
  void clear();

  std::size_t tracked_keys() const;

 private:
  struct Shard;
  std::size_t keys_per_shard_;
  unsigned shard_count_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace basalt::auth
