#include "basalt/files/single_flight.hpp"

namespace basalt::files {

std::size_t SingleFlight::in_flight() const {
  std::lock_guard lock(mutex_);
  return flights_.size();
}

void SingleFlight::complete(Waiter waiter, std::exception_ptr error, bool lead) {
  // Posted, never called here: the caller resumes on its own executor, outside this lock and
  // outside the leader's coroutine.
  auto executor = waiter.work;
  boost::asio::post(executor, [waiter = std::move(waiter), error, lead]() mutable {
    std::move(waiter.handler)(error, lead);
  });
}

void SingleFlight::enter(const std::string& key, Waiter waiter) {
  {
    std::lock_guard lock(mutex_);
    auto [it, created] = flights_.try_emplace(key);
    if (!created) {
      it->second.push_back(std::move(waiter));
      return;
    }
  }
  complete(std::move(waiter), nullptr, true);
}

void SingleFlight::finish(const std::string& key, std::exception_ptr error) {
  std::vector<Waiter> waiters;
  {
    std::lock_guard lock(mutex_);
    auto it = flights_.find(key);
    if (it == flights_.end()) return;
    waiters = std::move(it->second);
    flights_.erase(it);
  }
  for (Waiter& waiter : waiters) complete(std::move(waiter), error, false);
}

}  // namespace basalt::files
