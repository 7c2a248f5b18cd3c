#include "basalt/brokers/send_watchdog.hpp"

#include <sys/socket.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace basalt::brokers {
namespace {

using Clock = std::chrono::steady_clock;

class Watchdog {
 public:
  static Watchdog& instance() {
    // Never destroyed: a delivery thread may still drop a Watch during static destruction.
    static Watchdog* const watchdog = new Watchdog();
    return *watchdog;
  }

  std::uint64_t add(int fd, Clock::time_point deadline) {
    std::lock_guard lock(mutex_);
    const std::uint64_t id = ++last_id_;
    watched_.emplace(id, Entry{fd, deadline, false});
    if (deadline < waiting_until_) wakeup_.notify_one();  // else it wakes in time anyway
    return id;
  }

  void extend(std::uint64_t id, Clock::time_point deadline) {
    std::lock_guard lock(mutex_);
    const auto found = watched_.find(id);
    // Later only: the thread, woken at the old deadline, finds the new one and sleeps again.
    if (found != watched_.end() && !found->second.fired && deadline > found->second.deadline) {
      found->second.deadline = deadline;
    }
  }

  void remove(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    watched_.erase(id);
  }

  bool fired(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    const auto found = watched_.find(id);
    return found != watched_.end() && found->second.fired;
  }

 private:
  struct Entry {
    int fd;
    Clock::time_point deadline;
    bool fired;
  };

  Watchdog() : thread_([this] { run(); }) { thread_.detach(); }

  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      auto earliest = Clock::time_point::max();
      const auto now = Clock::now();
      for (auto& [id, entry] : watched_) {
        if (entry.fired) continue;
        if (entry.deadline <= now) {
          ::shutdown(entry.fd, SHUT_RDWR);  // invariant 1: its Watch is alive (we hold the lock)
          entry.fired = true;
        } else if (entry.deadline < earliest) {
          earliest = entry.deadline;
        }
      }
      waiting_until_ = earliest;
      if (earliest == Clock::time_point::max()) {
        wakeup_.wait(lock);
      } else {
        wakeup_.wait_until(lock, earliest);
      }
    }
  }

  std::mutex mutex_;
  std::condition_variable wakeup_;
  std::map<std::uint64_t, Entry> watched_;
  std::uint64_t last_id_ = 0;
  // What the thread sleeps until (max: no deadline); an earlier new one wakes it.
  Clock::time_point waiting_until_ = Clock::time_point::min();
  std::thread thread_;
};

}  // namespace

SendWatch::SendWatch(int fd, Clock::time_point deadline) {
  if (fd >= 0) id_ = Watchdog::instance().add(fd, deadline);
}

SendWatch::~SendWatch() {
  if (id_ != 0) Watchdog::instance().remove(id_);
}

void SendWatch::extend(Clock::time_point deadline) {
  if (id_ != 0) Watchdog::instance().extend(id_, deadline);
}

bool SendWatch::fired() const {
  return id_ != 0 && Watchdog::instance().fired(id_);
}

}  // namespace basalt::brokers
