// SignInThrottle: the policy that slows down password guessing without letting anyone lock an
// account (issue M1.6 item 7).
//
// Failures are counted per client address and per (client address, collection, identity):
//  - past `auth-identity-failures` failures for one identity from one address, that address
//    gets 429 for that identity; every other address signing in to the same identity is
//    untouched, so a correct password from a fresh address always works;
//  - past `auth-ip-failures` failures from one address (any identities), that address gets
//    429 for every identity (credential stuffing across many accounts).
// Nothing is counted per identity alone: a per-identity counter is exactly what lets any
// address lock out any account (superusers included) by failing on purpose.
//
// An attempt is charged before the password is checked (so concurrent guesses cannot all pass
// before any has failed) and refunded when it succeeds. Unknown identities are charged like
// known ones, so the limit says nothing about who exists.
//
// The limiters are RateLimiter interfaces: MemoryRateLimiter on one instance, the database's
// buckets (DatabaseRateLimiter) for the instances on one PostgreSQL database.
//
// Time: read from the borrowed core::Clock (its steady reading), never from std::chrono.
// Thread safety: stateless apart from the borrowed limiters and clock, which are thread-safe;
// all must outlive it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>
#include <string_view>

#include "basalt/auth/rate_limiter.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/core/clock.hpp"

namespace basalt::auth {

// 429 "Too Many Requests." carrying the wait (sent as Retry-After).
class TooManyAttempts : public core::ApiError {
 public:
  explicit TooManyAttempts(std::chrono::seconds retry_after) : core::ApiError(429) {
    with_retry_after(static_cast<int>(retry_after.count()));
  }
};

// One charged attempt: the keys it was counted against, to refund on success.
struct SignInCharge {
  std::string address_key;
  std::string identity_key;
  RateLimiter::Clock::time_point at;
};

class SignInThrottle {
 public:
  SignInThrottle(RateLimiter& address_failures, RateLimiter& address_identity_failures,
                 const core::Clock& clock)
      : address_failures_(address_failures),
        address_identity_failures_(address_identity_failures),
        clock_(clock) {}

  // Counts one failure against `address` and against (`address`, `collection_id`, `identity`
  // compared case-insensitively), now. Throws TooManyAttempts, counting nothing, when either
  // is spent.
  boost::asio::awaitable<SignInCharge> charge(std::string_view address,
                                              std::string_view collection_id,
                                              std::string_view identity) const;

  // Takes back a charge: the attempt succeeded.
  boost::asio::awaitable<void> refund(const SignInCharge& charge) const;

 private:
  RateLimiter& address_failures_;
  RateLimiter& address_identity_failures_;
  const core::Clock& clock_;
};

}  // namespace basalt::auth
