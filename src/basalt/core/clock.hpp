// Clock: where services, tokens and rate limits read the time. The composition root passes the
// system clock; tests pass a ManualClock and move it, so expiry, rate-limit windows and
// timestamps are tested without sleeping.
//
// Two readings, because they answer different questions:
//  - now(): wall-clock time, for what is stored or sent (created/updated, token exp, @now);
//  - steady_now(): monotonic time, for windows and deadlines (rate limits, batch timeouts),
//    which must not jump when the wall clock is set.
// Thread safety: both implementations may be read from any thread concurrently.
#pragma once

#include <atomic>
#include <chrono>

namespace basalt::core {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point now() const = 0;
  virtual std::chrono::steady_clock::time_point steady_now() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override;
  std::chrono::steady_clock::time_point steady_now() const override;
};

// The process's system clock (a default for constructors that tests and tools call without
// one; app passes it explicitly).
const Clock& system_clock() noexcept;

// A clock that stands still until advance() moves it: both readings move by the same amount.
class ManualClock final : public Clock {
 public:
  // Starts at wall time `start`; the steady reading starts at an arbitrary fixed point.
  explicit ManualClock(std::chrono::system_clock::time_point start =
                           std::chrono::system_clock::time_point(std::chrono::hours(500'000)));

  std::chrono::system_clock::time_point now() const override;
  std::chrono::steady_clock::time_point steady_now() const override;

  // Moves both readings forward by `by` (>= 0).
  void advance(std::chrono::nanoseconds by) noexcept;

 private:
  std::chrono::system_clock::time_point start_;
  std::atomic<std::chrono::nanoseconds::rep> elapsed_{0};
};

}  // namespace basalt::core
