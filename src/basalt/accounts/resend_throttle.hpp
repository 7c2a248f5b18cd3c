// ResendThrottle: "this mail went out lately, do not send it again yet" (PocketBase keeps the
// same marks in its app store: a verification or password reset mail for one record at most
// once per 2 minutes; a confirmed flow clears its mark).
//
// Keys are whatever the caller builds (flow + collection id + record id). A mark expires
// `window` after it was set, by the steady clock. At most `max_keys` marks are held: past that
// the expired ones are swept, and when all are live the oldest is forgotten (its record may get
// one mail earlier than the window says, never a refused request).
//
// Time: core::Clock::steady_now() (a ManualClock in tests). Thread safety: every member may be
// called from any thread (one mutex; each call is O(1) amortised).
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "basalt/core/clock.hpp"

namespace basalt::accounts {

class ResendThrottle {
 public:
  ResendThrottle(const core::Clock& clock, std::chrono::seconds window,
                 std::size_t max_keys = 100'000);

  // True when `key` was marked less than `window` ago.
  bool active(std::string_view key) const;
  // Marks `key` now (again: the window restarts).
  void mark(std::string_view key);
  // Forgets `key` (the flow it limits was completed).
  void clear(std::string_view key);

 private:
  using TimePoint = std::chrono::steady_clock::time_point;
  void sweep_locked(TimePoint now);

  const core::Clock& clock_;
  const std::chrono::seconds window_;
  const std::size_t max_keys_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, TimePoint> expiry_;    // key -> end of its window
  std::deque<std::pair<TimePoint, std::string>> order_;  // marks in time order (may be stale)
};

}  // namespace basalt::accounts
