// Counters the client threads raise and the main thread waits on (subscriptions made, clients
// that received every event), with the condition variable that wakes it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace rtbench {

class Progress {
 public:
  void add_subscribed() { bump(subscribed_); }
  void add_complete() { bump(complete_); }
  std::uint32_t subscribed() const { return subscribed_.load(); }
  std::uint32_t complete() const { return complete_.load(); }

  // Waits until `done()` holds or `timeout` passes, calling `tick()` about once a second.
  template <typename Done, typename Tick>
  bool wait(std::chrono::steady_clock::duration timeout, Done done, Tick tick) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mutex_);
    while (!done()) {
      auto now = std::chrono::steady_clock::now();
      if (now >= deadline) return false;
      auto next = std::min(deadline, now + std::chrono::seconds(1));
      if (!changed_.wait_until(lock, next, done)) tick();
    }
    return true;
  }

 private:
  void bump(std::atomic<std::uint32_t>& counter) {
    counter.fetch_add(1);
    // Under the mutex, so the waiter cannot miss it between its check and its wait.
    std::lock_guard lock(mutex_);
    changed_.notify_all();
  }

  std::atomic<std::uint32_t> subscribed_{0};
  std::atomic<std::uint32_t> complete_{0};
  std::mutex mutex_;
  std::condition_variable changed_;
};

}  // namespace rtbench
