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

// Tasks waiting in every blocking pool, for the scrape; called with a pool's mutex held.
void queued_gauge(std::int64_t change) noexcept {
  metrics::shared_gauges().blocking_queue_tasks.fetch_add(change, std::memory_order_relaxed);
}

}  // namespace

BlockingPool::BlockingPool(BlockingPoolOptions options) : max_queued_(options.max_queued) {
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
  {
    std::lock_guard lock(mutex_);
    if (!stopping_ && queue_.size() < max_queued_) {
      queue_.push_back(std::move(task));
      queued_gauge(1);
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
    queued_gauge(-static_cast<std::int64_t>(abandoned.size()));
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
      queued_gauge(-1);
    }
    if (metrics::enabled()) metrics::local().blocking_tasks.add();
    task->run();
  }
}

}  // namespace basalt::core
