// The metric block of one thread, and how a thread finds its own (docs/observability.md).
//
// Ownership and threads:
//  1. Every thread that counts something (workers, read pool, writer, blocking pool, ...) gets
//     one ThreadBlock the first time it calls local(), registered once under the registry's
//     mutex. After that it writes its block without any lock or read-modify-write atomic
//     (counter.hpp, invariant 1): the request path touches only memory its thread owns.
//  2. The scrape (registry.hpp, snapshot()) reads every block with relaxed loads and adds them
//     up. A block is never freed while the process runs: when its thread exits the block goes
//     back to a free list and the next new thread continues it, so totals never go backwards
//     and a process that starts and stops threads keeps a bounded number of blocks.
//  3. The layout is fixed at compile time: no lookup by name on the request path. HTTP routes
//     are slots (kHttpSlots); the labels of the slots are registered once at startup
//     (set_http_slot_labels) by the HTTP layer.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "basalt/metrics/counter.hpp"

namespace basalt::metrics {

// Latency buckets, in nanoseconds (exported in seconds): 100 µs to 10 s.
inline constexpr std::array<std::uint64_t, 16> kLatencyBoundsNs{
    100'000,       250'000,       500'000,       1'000'000,     2'500'000,   5'000'000,
    10'000'000,    25'000'000,    50'000'000,    100'000'000,   250'000'000, 500'000'000,
    1'000'000'000, 2'500'000'000, 5'000'000'000, 10'000'000'000};
using LatencyHistogram = Histogram<kLatencyBoundsNs.size()>;

// Jobs per group-commit transaction.
inline constexpr std::array<std::uint64_t, 10> kBatchBounds{1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
using BatchHistogram = Histogram<kBatchBounds.size()>;

// HTTP route slots: the first kUnmatchedSlots are "no route" per request method, then one per
// route of the router's table in order; a table longer than the block counts its tail in the
// last slot (labelled as such).
inline constexpr std::size_t kHttpSlots = 320;
inline constexpr std::size_t kStatusClasses = 5;  // 1xx .. 5xx

enum class StatementKind : std::size_t { kRead, kWrite, kCount };
enum class Cache : std::size_t { kAuthRecord, kCount, kPlan, kCountOf };
enum class Refusal : std::size_t { kRateLimit, kSignInThrottle, kCount };
enum class Stream : std::size_t { kRealtime, kGraphqlSubscription, kCount };
// The thread pools that queue tasks (core::BlockingPool): the blocking pool (hashing, storage
// calls of requests), SQLite's read pool, the OAuth2 pool, the file serving pools (io and
// thumbnails), the backup pools.
enum class Pool : std::size_t { kBlocking, kRead, kOAuth2, kFiles, kBackups, kCount };

struct HttpSlot {
  std::array<Counter, kStatusClasses> requests;  // by status class
  LatencyHistogram duration;
};

struct ThreadBlock {
  std::array<HttpSlot, kHttpSlots> http;

  std::array<LatencyHistogram, static_cast<std::size_t>(StatementKind::kCount)> statements;
  BatchHistogram commit_batch_jobs;  // jobs per committed group-commit transaction
  Counter transaction_retries;       // rounds of a batch run again (writer invariants 3 and 6)

  std::array<UpDown, static_cast<std::size_t>(Stream::kCount)> stream_clients;
  std::array<Counter, static_cast<std::size_t>(Stream::kCount)> events_delivered;
  std::array<Counter, static_cast<std::size_t>(Stream::kCount)> events_dropped;

  std::array<Counter, static_cast<std::size_t>(Cache::kCountOf)> cache_hits;
  std::array<Counter, static_cast<std::size_t>(Cache::kCountOf)> cache_misses;

  Counter sign_in_failures;
  std::array<Counter, static_cast<std::size_t>(Refusal::kCount)> refusals;

  // By pool, counted on the pool thread that took the task: tasks run, and the time each
  // waited in the queue (from submit to a thread taking it).
  std::array<Counter, static_cast<std::size_t>(Pool::kCount)> pool_tasks;
  std::array<LatencyHistogram, static_cast<std::size_t>(Pool::kCount)> pool_wait;
};

namespace detail {
// This thread's block, or null before its first local(). constinit: reading it needs no
// thread_local initialisation wrapper call.
extern thread_local constinit ThreadBlock* tls_block;
ThreadBlock& register_thread();
extern constinit bool g_enabled;
}  // namespace detail

// Whether metrics are collected (the `metrics` setting). Set once at startup, before any other
// thread starts, and never changed after: a plain bool is safe to read from every thread.
inline bool enabled() noexcept {
  return detail::g_enabled;
}
void set_enabled(bool on) noexcept;

// The calling thread's block (registered on first use).
inline ThreadBlock& local() noexcept {
  ThreadBlock* block = detail::tls_block;
  return block ? *block : detail::register_thread();
}

inline constexpr std::size_t index(auto e) noexcept {
  return static_cast<std::size_t>(e);
}

}  // namespace basalt::metrics
