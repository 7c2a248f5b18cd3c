// Single-writer counters: the cells of a thread's metric block (thread_block.hpp).
//
// Invariants:
//  1. Exactly one thread writes a cell: the thread that owns its block. It adds with a relaxed
//     load and a relaxed store, not a read-modify-write: on x86-64 and AArch64 that compiles to
//     a plain load, add and store — no lock prefix, no fence — so the request path pays what a
//     plain integer costs.
//  2. Any thread may read a cell at any time (the scrape) with a relaxed load. The 64-bit
//     std::atomic makes that read well defined and never torn; it may miss the latest adds,
//     which the next scrape sees. Cells only grow (UpDown aside), so a merged sum never goes
//     backwards between scrapes.
//  3. A histogram's cells are read one by one, so one scrape may see an observation in a
//     bucket but not yet in the sum. `_count` is therefore computed from the buckets at the
//     scrape (it always equals the +Inf bucket); `_sum` may lag by the observations in flight.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace basalt::metrics {

class Counter {
 public:
  void add(std::uint64_t n = 1) noexcept {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  std::uint64_t read() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// A per-thread share of a gauge that goes up and down (open streams of this thread). The
// exported value is the sum over threads; one thread's share may be negative when an item
// opened on one thread closes on another.
class UpDown {
 public:
  void add(std::int64_t n) noexcept {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  std::int64_t read() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

// Fixed buckets: `bounds` are the upper bounds (inclusive, "le") in the unit of the observed
// values; cell i counts observations in (bounds[i-1], bounds[i]], the last cell those above
// every bound (+Inf). Non-cumulative here; exposition.cpp accumulates them.
template <std::size_t N>
class Histogram {
 public:
  static constexpr std::size_t kBuckets = N;

  void observe(std::uint64_t value, const std::array<std::uint64_t, N>& bounds) noexcept {
    std::size_t i = 0;
    while (i < N && value > bounds[i]) ++i;
    cells_[i].add();
    sum_.add(value);
  }
  std::uint64_t bucket(std::size_t i) const noexcept { return cells_[i].read(); }  // i <= N
  std::uint64_t sum() const noexcept { return sum_.read(); }

 private:
  std::array<Counter, N + 1> cells_{};
  Counter sum_;
};

}  // namespace basalt::metrics
