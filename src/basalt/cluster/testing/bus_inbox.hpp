// What one bus received in a test, waited on with a deadline (never a sleep). Tests only.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

namespace basalt::cluster::testing {

class BusInbox {
 public:
  // Generous: only reached when something is broken.
  static constexpr std::chrono::seconds kDeadline{15};

  void add(std::string item) {
    {
      std::lock_guard lock(mutex_);
      items_.push_back(std::move(item));
    }
    changed_.notify_all();
  }
  // The items once there are at least `count`, or what arrived by the deadline.
  std::vector<std::string> wait_for(std::size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, kDeadline, [&] { return items_.size() >= count; });
    return items_;
  }
  // Whether `item` arrived by the deadline.
  bool wait_for_item(const std::string& item) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kDeadline, [&] {
      for (const std::string& got : items_) {
        if (got == item) return true;
      }
      return false;
    });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> items_;
};

}  // namespace basalt::cluster::testing
