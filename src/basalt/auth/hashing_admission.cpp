#include "basalt/auth/hashing_admission.hpp"

#include <utility>

#include "basalt/core/api_error.hpp"

namespace basalt::auth {

HashingAdmission::Ticket::~Ticket() {
  if (owner_) owner_->leave(client_);
}

HashingAdmission::Ticket HashingAdmission::enter(std::string_view client) {
  {
    std::lock_guard lock(mutex_);
    auto it = per_client_.find(client);
    const std::size_t mine = it == per_client_.end() ? 0 : it->second;
    if (mine < limits_.per_client && total_ < limits_.total) {
      if (it == per_client_.end()) it = per_client_.emplace(std::string(client), 0).first;
      ++it->second;
      ++total_;
      return Ticket(this, std::string(client));
    }
  }
  core::ApiError refused(429);
  refused.with_retry_after(kHashingRetryAfterSeconds);
  throw refused;
}

std::size_t HashingAdmission::in_flight(std::string_view client) const {
  std::lock_guard lock(mutex_);
  auto it = per_client_.find(client);
  return it == per_client_.end() ? 0 : it->second;
}

void HashingAdmission::leave(const std::string& client) noexcept {
  std::lock_guard lock(mutex_);
  auto it = per_client_.find(client);
  if (it == per_client_.end()) return;
  if (--it->second == 0) per_client_.erase(it);
  --total_;
}

}  // namespace basalt::auth
