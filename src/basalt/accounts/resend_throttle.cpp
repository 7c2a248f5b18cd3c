#include "basalt/accounts/resend_throttle.hpp"

namespace basalt::accounts {

ResendThrottle::ResendThrottle(const core::Clock& clock, std::chrono::seconds window,
                               std::size_t max_keys)
    : clock_(clock), window_(window), max_keys_(max_keys == 0 ? 1 : max_keys) {}

bool ResendThrottle::active(std::string_view key) const {
  std::lock_guard lock(mutex_);
  const auto it = expiry_.find(std::string(key));
  return it != expiry_.end() && clock_.steady_now() < it->second;
}

void ResendThrottle::mark(std::string_view key) {
  std::lock_guard lock(mutex_);
  const TimePoint now = clock_.steady_now();
  const TimePoint until = now + window_;
  sweep_locked(now);
  expiry_[std::string(key)] = until;
  order_.emplace_back(until, std::string(key));
  // All live and too many: forget the oldest marks.
  while (expiry_.size() > max_keys_ && !order_.empty()) {
    auto [at, oldest] = std::move(order_.front());
    order_.pop_front();
    const auto it = expiry_.find(oldest);
    if (it != expiry_.end() && it->second == at) expiry_.erase(it);
  }
}

void ResendThrottle::clear(std::string_view key) {
  std::lock_guard lock(mutex_);
  expiry_.erase(std::string(key));
}

// Drops the marks whose windows ended; the deque is in time order since the window is fixed.
void ResendThrottle::sweep_locked(TimePoint now) {
  while (!order_.empty() && order_.front().first <= now) {
    const auto it = expiry_.find(order_.front().second);
    if (it != expiry_.end() && it->second == order_.front().first) expiry_.erase(it);
    order_.pop_front();
  }
  // A key marked again leaves stale entries behind; bound them too.
  if (order_.size() > 2 * max_keys_) {
    std::deque<std::pair<TimePoint, std::string>> live;
    for (auto& entry : order_) {
      const auto it = expiry_.find(entry.second);
      if (it != expiry_.end() && it->second == entry.first) live.push_back(std::move(entry));
    }
    order_.swap(live);
  }
}

}  // namespace basalt::accounts
