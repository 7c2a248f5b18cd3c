#include "basalt/metrics/registry.hpp"

#include <deque>
#include <memory>
#include <mutex>

#include "basalt/metrics/shared_gauges.hpp"

namespace basalt::metrics {
namespace detail {
thread_local constinit ThreadBlock* tls_block = nullptr;
constinit bool g_enabled = true;
}  // namespace detail

namespace {

template <std::size_t N>
void add_histogram(HistogramTotals<N>& into, const Histogram<N>& from) {
  for (std::size_t i = 0; i <= N; ++i) into.buckets[i] += from.bucket(i);
  into.sum += from.sum();
}

// Blocks live as long as the process (thread_block.hpp, invariant 2): a snapshot taken while a
// thread exits still reads valid memory.
struct Registry {
  std::mutex mutex;
  std::deque<std::unique_ptr<ThreadBlock>> blocks;  // guarded by mutex
  std::vector<ThreadBlock*> free;                   // guarded by mutex
  std::vector<SlotLabel> labels;                    // guarded by mutex
};

Registry& registry() {
  static Registry* instance = new Registry();  // never destroyed: threads may exit after main
  return *instance;
}

// Gives the block back when its thread exits.
struct Release {
  bool armed = false;
  ~Release() {
    ThreadBlock* block = detail::tls_block;
    if (!block) return;
    detail::tls_block = nullptr;
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    r.free.push_back(block);
  }
};
thread_local Release tls_release;

}  // namespace

ThreadBlock& detail::register_thread() {
  Registry& r = registry();
  ThreadBlock* block = nullptr;
  {
    std::lock_guard lock(r.mutex);
    if (!r.free.empty()) {
      block = r.free.back();
      r.free.pop_back();
    } else {
      r.blocks.push_back(std::make_unique<ThreadBlock>());
      block = r.blocks.back().get();
    }
  }
  tls_release.armed = true;  // constructs this thread's Release: its destructor runs at exit
  tls_block = block;
  return *block;
}

void set_enabled(bool on) noexcept {
  detail::g_enabled = on;
}

SharedGauges& shared_gauges() noexcept {
  static SharedGauges gauges;
  return gauges;
}

Snapshot snapshot() {
  Snapshot out;
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  for (const auto& owned : r.blocks) {
    const ThreadBlock& b = *owned;
    for (std::size_t slot = 0; slot < kHttpSlots; ++slot) {
      for (std::size_t c = 0; c < kStatusClasses; ++c)
        out.http[slot].requests[c] += b.http[slot].requests[c].read();
      add_histogram(out.http[slot].duration, b.http[slot].duration);
    }
    for (std::size_t k = 0; k < out.statements.size(); ++k)
      add_histogram(out.statements[k], b.statements[k]);
    add_histogram(out.commit_batch_jobs, b.commit_batch_jobs);
    out.transaction_retries += b.transaction_retries.read();
    for (std::size_t s = 0; s < out.stream_clients.size(); ++s) {
      out.stream_clients[s] += b.stream_clients[s].read();
      out.events_delivered[s] += b.events_delivered[s].read();
      out.events_dropped[s] += b.events_dropped[s].read();
    }
    for (std::size_t c = 0; c < out.cache_hits.size(); ++c) {
      out.cache_hits[c] += b.cache_hits[c].read();
      out.cache_misses[c] += b.cache_misses[c].read();
    }
    out.sign_in_failures += b.sign_in_failures.read();
    for (std::size_t k = 0; k < out.refusals.size(); ++k) out.refusals[k] += b.refusals[k].read();
    for (std::size_t p = 0; p < out.pool_tasks.size(); ++p) {
      out.pool_tasks[p] += b.pool_tasks[p].read();
      add_histogram(out.pool_wait[p], b.pool_wait[p]);
    }
  }
  out.threads = r.blocks.size();
  return out;
}

void set_http_slot_labels(std::vector<SlotLabel> labels) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.labels = std::move(labels);
}

std::vector<SlotLabel> http_slot_labels() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  return r.labels;
}

}  // namespace basalt::metrics
