// RateLimiter: counts failed attempts per key (a client IP, an identity) and turns attempts
// away once a key has failed too often lately; the caller then answers 429 "Too Many
// Requests." (docs/api.md, "Errors").
//
// Use, for each key an attempt is limited by:
//   if (auto admission = limiter.try_acquire(key, now); !admission)
//     -> 429 with Retry-After: admission.retry_after, nothing counted
//   ... the attempt ...
//   succeeded? limiter.refund(key, now)
// try_acquire counts the attempt as a failure up front, so concurrent attempts cannot all pass
// before any of them has failed; refund() takes the count back when the attempt succeeded.
// When an attempt is limited by several keys and a later one refuses it, refund the earlier
// ones (it was never tried).
//
// The limit is a token bucket per key: a burst of `max_failures` failures, then one more every
// `window / max_failures` (so 5 per 1m: five at once, then one every 12 s; a key that stops
// failing is clean again `window` after its last failure). It has no edge at which a fixed
// window resets, where twice the limit could pass at once.
//
// Implementations: MemoryRateLimiter (one process). A store shared by several instances
// (Redis) implements the same interface; it may keep time by its own clock instead of `now`.
// Implementations are thread-safe.
#pragma once

#include <chrono>
#include <string_view>

namespace basalt::auth {

// The answer of try_acquire. When refused, `retry_after` is how long until the key has one
// failure to spend again (whole seconds, rounded up, at least 1s): the Retry-After to send.
struct Admission {
  bool allowed = true;
  std::chrono::seconds retry_after{0};

  explicit operator bool() const noexcept { return allowed; }
};

struct RateLimit {
  unsigned max_failures = 0;  // burst size; 0 turns the limit off
  std::chrono::seconds window{60};
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  virtual ~RateLimiter() = default;

  // Refused (with the wait) when `key` has no failure left to spend at `now`: nothing is
  // counted. Otherwise counts one failure against `key` and allows the attempt.
  virtual Admission try_acquire(std::string_view key, Clock::time_point now) = 0;

  // Takes back one failure counted by try_acquire: the attempt succeeded (or was never made).
  virtual void refund(std::string_view key, Clock::time_point now) = 0;
};

}  // namespace basalt::auth
