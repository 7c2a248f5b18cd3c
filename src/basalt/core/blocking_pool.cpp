#include "basalt/core/blocking_pool.hpp"

#include <stdexcept>

#include "basalt/core/api_error.hpp"
#include "basalt/metrics/shared_gauges.hpp"
#include "basalt/metrics/thread_block.hpp"

namespace basalt::core {
namespace {

std::exception_ptr unavailable() {
  return std::make_exception_ptr(ApiError(503));
}

// Tasks waiting in the pools of one kind, for the scrape; called with a pool's mutex held.
void queued_gauge(metrics::Pool pool, std::int64_t change) noexcept {
  metrics::shared_gauges().pool_queue_tasks[metrics::index(pool)].fetch_add(
      change, std::memory_order_relaxed);
}

}  // namespace

BlockingPool::BlockingPool(BlockingPoolOptions options)
    : max_queued_(options.max_queued), pool_(options.pool) {
  if (options.threads == 0) throw std::invalid_argument("BlockingPool needs at least one thread");
  threads_.reserve(options.threads);
  try {
    for (unsigned i = 0; i < options.threads; ++i) threads_.emplace_back([this] { work(); });
  } catch (...) {
    shutdown();  // join the threads already started before the members go away
    throw;
  }
}

BlockingPool::~BlockingPool() {
  shutdown();
}

void BlockingPool::submit(std::unique_ptr<Task> task) {
  task->span_ = current_span();
  if (metrics::enabled()) task->queued_at_ = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    if (!stopping_ && queue_.size() < max_queued_) {
      queue_.push_back(std::move(task));
      queued_gauge(pool_, 1);
      ready_.notify_one();
      return;
    }
  }
  // Rejected: fail outside the lock, since failing posts to the caller's executor.
  task->fail(unavailable());
}

void BlockingPool::stop() {
  std::deque<std::unique_ptr<Task>> abandoned;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    abandoned.swap(queue_);
    queued_gauge(pool_, -static_cast<std::int64_t>(abandoned.size()));
  }
  ready_.notify_all();
  for (auto& task : abandoned) task->fail(unavailable());
}

void BlockingPool::shutdown() {
  stop();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void BlockingPool::work() {
  for (;;) {
    std::unique_ptr<Task> task;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and stop() took whatever was queued
      task = std::move(queue_.front());
      queue_.pop_front();
      queued_gauge(pool_, -1);
    }
    if (metrics::enabled()) {
      metrics::ThreadBlock& block = metrics::local();
      block.pool_tasks[metrics::index(pool_)].add();
      const auto waited = std::chrono::duration_cast<std::chrono::nanoseconds>(
                              std::chrono::steady_clock::now() - task->queued_at_)
                              .count();
      block.pool_wait[metrics::index(pool_)].observe(static_cast<std::uint64_t>(waited),
                                                     metrics::kLatencyBoundsNs);
    }
    // The task's span as this thread's current one while it runs (span_scope.hpp).
    SpanCell cell{task->span_};
    CellInstall install(&cell);
    task->run();
  }
}

}  // namespace basalt::core
