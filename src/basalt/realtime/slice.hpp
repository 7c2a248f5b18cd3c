// Slice: bounds how long a loop over many clients runs on a worker before it yields (posts
// its continuation), so requests and completions on the same worker wait at most about one
// budget. Time, not a count: a slice of cheap steps (appends) covers many clients, a slice of
// expensive ones (system calls) few, and the two kinds of loop interleave fairly in time.
#pragma once

#include <chrono>
#include <cstddef>

namespace basalt::realtime {

inline constexpr std::chrono::microseconds kSliceBudget{1000};

class Slice {
 public:
  using Clock = std::chrono::steady_clock;

  Slice() : start_(Clock::now()) {}

  // After a step: true once the budget is spent (the caller yields, then calls restart()).
  // The clock is read every kCheckEvery steps only.
  bool spent() {
    if (++steps_ % kCheckEvery != 0) return false;
    return Clock::now() - start_ >= kSliceBudget;
  }
  void restart() { start_ = Clock::now(); }
  Clock::time_point started() const noexcept { return start_; }

 private:
  static constexpr std::size_t kCheckEvery = 32;
  Clock::time_point start_;
  std::size_t steps_ = 0;
};

}  // namespace basalt::realtime
