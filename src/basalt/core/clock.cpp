#include "basalt/core/clock.hpp"

namespace basalt::core {

std::chrono::system_clock::time_point SystemClock::now() const {
  return std::chrono::system_clock::now();
}

std::chrono::steady_clock::time_point SystemClock::steady_now() const {
  return std::chrono::steady_clock::now();
}

const Clock& system_clock() noexcept {
  static const SystemClock clock;
  return clock;
}

ManualClock::ManualClock(std::chrono::system_clock::time_point start) : start_(start) {}

std::chrono::system_clock::time_point ManualClock::now() const {
  return start_ + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                      std::chrono::nanoseconds(elapsed_.load()));
}

std::chrono::steady_clock::time_point ManualClock::steady_now() const {
  // A fixed origin a day past the steady epoch, so readings are never near its minimum.
  return std::chrono::steady_clock::time_point(std::chrono::hours(24)) +
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(
             std::chrono::nanoseconds(elapsed_.load()));
}

void ManualClock::advance(std::chrono::nanoseconds by) noexcept {
  elapsed_ += by.count();
}

}  // namespace basalt::core
