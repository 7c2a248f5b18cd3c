// The process-wide list of thread blocks (thread_block.hpp) and their merged snapshot.
// Thread-safe: registration and snapshot() take the registry's mutex; counting never does.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "basalt/metrics/thread_block.hpp"

namespace basalt::metrics {

// A histogram's cells added up over threads (still non-cumulative, as in counter.hpp).
template <std::size_t N>
struct HistogramTotals {
  std::array<std::uint64_t, N + 1> buckets{};
  std::uint64_t sum = 0;
};

// Every block's cells added up at one scrape.
struct Snapshot {
  struct Http {
    std::array<std::uint64_t, kStatusClasses> requests{};
    HistogramTotals<LatencyHistogram::kBuckets> duration;
  };
  std::vector<Http> http = std::vector<Http>(kHttpSlots);
  std::array<HistogramTotals<LatencyHistogram::kBuckets>, index(StatementKind::kCount)> statements;
  HistogramTotals<BatchHistogram::kBuckets> commit_batch_jobs;
  std::uint64_t transaction_retries = 0;
  std::array<std::int64_t, index(Stream::kCount)> stream_clients{};
  std::array<std::uint64_t, index(Stream::kCount)> events_delivered{};
  std::array<std::uint64_t, index(Stream::kCount)> events_dropped{};
  std::array<std::uint64_t, index(Cache::kCountOf)> cache_hits{};
  std::array<std::uint64_t, index(Cache::kCountOf)> cache_misses{};
  std::uint64_t sign_in_failures = 0;
  std::array<std::uint64_t, index(Refusal::kCount)> refusals{};
  std::array<std::uint64_t, index(Pool::kCount)> pool_tasks{};
  std::array<HistogramTotals<LatencyHistogram::kBuckets>, index(Pool::kCount)> pool_wait;
  std::size_t threads = 0;  // blocks merged
};

Snapshot snapshot();

// The labels of HTTP slot i: method and route template ("unmatched" for no route). Set by the
// HTTP layer when its router is built (before the workers start); read by the scrape.
struct SlotLabel {
  std::string method;
  std::string route;
};
void set_http_slot_labels(std::vector<SlotLabel> labels);
std::vector<SlotLabel> http_slot_labels();

}  // namespace basalt::metrics
