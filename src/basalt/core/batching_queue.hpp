// BatchingQueue<T>: a bounded queue that many threads append to and one background thread
// drains in batches (the request logs, the span exporter; later the outbox).
//
//   core::BatchingQueue<Entry> queue({.max_queued = 20'000, .max_batch = 1000,
//                                     .flush_interval = std::chrono::seconds(1)});
//   queue.start([this](std::vector<Entry>& batch) { write(batch); });   // owner fully built
//   queue.push(std::move(entry));   // any thread; false: dropped and counted
//
// Invariants:
//  1. push() never waits for the consumer: it takes the mutex for one push_back. Past
//     max_queued items (or once stopping) the item is dropped and counted.
//  2. The thread calls the consumer whenever max_batch items wait, flush_interval passed, or
//     a flush() or stop() asks, with every waiting item (possibly none: a tick the consumer
//     may use for periodic work); the consumer runs without the mutex and may take as long as
//     it needs, items pushed meanwhile wait for the next round.
//  3. flush() returns once every item pushed before it went through the consumer. stop()
//     drains what is queued through the consumer, then joins the thread; items pushed later
//     are dropped. The owner calls stop() before the members the consumer uses go away.
// Thread safety: push(), flush(), dropped(), take_new_drops() from any thread; start() and
// stop() from the owner's.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace basalt::core {

struct BatchingQueueOptions {
  std::size_t max_queued = 4096;
  std::size_t max_batch = 512;
  std::chrono::milliseconds flush_interval{1000};
};

template <typename T>
class BatchingQueue {
 public:
  using Consumer = std::function<void(std::vector<T>& batch)>;

  explicit BatchingQueue(BatchingQueueOptions options) : options_(options) {}
  ~BatchingQueue() { stop(); }
  BatchingQueue(const BatchingQueue&) = delete;
  BatchingQueue& operator=(const BatchingQueue&) = delete;

  // Starts the thread; `on_start` (optional) runs on it first, before any wait, then
  // `consumer` for every round. Call once.
  void start(Consumer consumer, std::function<void()> on_start = {}) {
    consumer_ = std::move(consumer);
    on_start_ = std::move(on_start);
    thread_ = std::thread([this] { run(); });
  }

  bool push(T item) noexcept {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= options_.max_queued) {
      ++dropped_;
      return false;
    }
    try {
      queue_.push_back(std::move(item));
    } catch (...) {
      ++dropped_;
      return false;
    }
    ++pushed_;
    if (queue_.size() >= options_.max_batch) wake_.notify_one();
    return true;
  }

  void flush() {
    std::unique_lock lock(mutex_);
    const std::uint64_t target = pushed_;
    if (handled_ >= target || !thread_.joinable()) return;
    flush_requested_ = true;
    wake_.notify_one();
    flushed_.wait(lock, [&] { return handled_ >= target; });
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      if (stopping_ && !thread_.joinable()) return;
      stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

  std::uint64_t dropped() const {
    std::lock_guard lock(mutex_);
    return dropped_;
  }
  // Drops not yet reported by an earlier call (for a log line per round at most).
  std::uint64_t take_new_drops() {
    std::lock_guard lock(mutex_);
    const std::uint64_t fresh = dropped_ - reported_;
    reported_ = dropped_;
    return fresh;
  }
  // Counts items the consumer could not handle (a refused batch) with the queue's drops.
  void count_dropped(std::uint64_t items) {
    std::lock_guard lock(mutex_);
    dropped_ += items;
  }

 private:
  void run() {
    if (on_start_) on_start_();
    std::vector<T> batch;
    for (;;) {
      bool stopping = false;
      {
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, options_.flush_interval, [&] {
          return stopping_ || flush_requested_ || queue_.size() >= options_.max_batch;
        });
        batch.swap(queue_);
        flush_requested_ = false;
        stopping = stopping_;
      }
      const std::size_t taken = batch.size();
      consumer_(batch);
      batch.clear();
      {
        std::lock_guard lock(mutex_);
        handled_ += taken;
      }
      flushed_.notify_all();
      if (stopping) {
        std::lock_guard lock(mutex_);
        if (queue_.empty()) break;
      }
    }
  }

  const BatchingQueueOptions options_;
  Consumer consumer_;
  std::function<void()> on_start_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable flushed_;
  std::vector<T> queue_;
  std::uint64_t pushed_ = 0;
  std::uint64_t handled_ = 0;
  std::uint64_t dropped_ = 0;
  std::uint64_t reported_ = 0;
  bool flush_requested_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace basalt::core
