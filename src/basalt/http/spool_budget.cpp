#include "basalt/http/spool_budget.hpp"

#include <algorithm>
#include <utility>

namespace basalt::http {

bool SpoolBudget::try_reserve(std::uint64_t bytes) noexcept {
  if (limit_ == 0) {
    in_use_.fetch_add(bytes, std::memory_order_relaxed);
    return true;
  }
  std::uint64_t current = in_use_.load(std::memory_order_relaxed);
  do {
    if (bytes > limit_ || current > limit_ - bytes) return false;
  } while (!in_use_.compare_exchange_weak(current, current + bytes, std::memory_order_relaxed));
  return true;
}

void SpoolBudget::release(std::uint64_t bytes) noexcept {
  in_use_.fetch_sub(bytes, std::memory_order_relaxed);
}

SpoolReservation::SpoolReservation(SpoolReservation&& other) noexcept
    : budget_(std::exchange(other.budget_, nullptr)), held_(std::exchange(other.held_, 0)) {}

SpoolReservation& SpoolReservation::operator=(SpoolReservation&& other) noexcept {
  if (this != &other) {
    reset();
    budget_ = std::exchange(other.budget_, nullptr);
    held_ = std::exchange(other.held_, 0);
  }
  return *this;
}

bool SpoolReservation::grow(std::uint64_t bytes) noexcept {
  if (!budget_) return true;
  if (!budget_->try_reserve(bytes)) return false;
  held_ += bytes;
  return true;
}

void SpoolReservation::shrink(std::uint64_t bytes) noexcept {
  bytes = std::min(bytes, held_);
  if (budget_ && bytes > 0) budget_->release(bytes);
  held_ -= bytes;
}

void SpoolReservation::reset() noexcept {
  shrink(held_);
}

}  // namespace basalt::http
