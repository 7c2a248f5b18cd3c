// RateLimiter: counts failed attempts per key (a client IP, an identity) and turns attempts
// away once a key has failed too often lately; the caller then answers 429 "Too Many
// Requests." (docs/api.md, "Errors").
//
// Use, for each key an attempt is limited by (in a coroutine):
//   if (auto admission = co_await limiter.acquire(key, now); !admission)
//     -> 429 with Retry-After: admission.retry_after, nothing counted
//   ... the attempt ...
//   succeeded? co_await limiter.release(key, now)
// acquire counts the attempt as a failure up front, so concurrent attempts cannot all pass
// before any of them has failed; release() takes the count back when the attempt succeeded.
// When an attempt is limited by several keys and a later one refuses it, release the earlier
// ones (it was never tried).
//
// The limit is a token bucket per key: a burst of `max_failures` failures, then one more every
// `window / max_failures` (so 5 per 1m: five at once, then one every 12 s; a key that stops
// failing is clean again `window` after its last failure). It has no edge at which a fixed
// window resets, where twice the limit could pass at once.
//
// Implementations: MemoryRateLimiter (one process: SQLite, answers at once) and
// DatabaseRateLimiter (the instances on one PostgreSQL database: one bucket row per key in
// the database, decided there; docs/scaling.md). The latter keeps time by the wall clock it is
// given instead of `now`. Implementations are thread-safe.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <string>
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
  virtual boost::asio::awaitable<Admission> acquire(std::string key, Clock::time_point now) = 0;

  // Takes back one failure counted by acquire: the attempt succeeded (or was never made).
  virtual boost::asio::awaitable<void> release(std::string key, Clock::time_point now) = 0;
};

// Keys at most this long are kept as they are; a longer one as a digest (bounded_limit_key).
inline constexpr std::size_t kMaxKeyBytes = 256;

// The key as a limiter stores it: itself, or for a key longer than kMaxKeyBytes a hex
// BLAKE2b-128 digest. Collision-resistant, so nobody can craft a key that shares another's
// count.
std::string bounded_limit_key(std::string_view key);

}  // namespace basalt::auth
