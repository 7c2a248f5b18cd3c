// JSON Web Tokens, HS256 only (RFC 7519 compact form; what PocketBase issues and accepts,
// tools/security/jwt.go).
//
// Reading a token is two steps, because the signing key depends on what the token claims to be
// (a record's tokenKey + its collection's secret, tokens.hpp):
//   auto jwt = UnverifiedJwt::parse(token);           // shape, header, base64url, JSON
//   ... look up the key from jwt.unverified_claims() ...
//   if (jwt.verify(key, now) == JwtStatus::kOk) ...    // signature, then exp and nbf
//
// Invariants:
//  1. Nothing read from an unverified token is trusted, except to choose which key to try.
//     unverified_claims() holds the same bytes that verify() authenticates, so once verify()
//     returns kOk they are the signed claims.
//  2. The header is exactly {"alg":"HS256"} plus optionally "typ":"JWT", in any order; any other
//     algorithm ("none", "HS512", "hs256"...) is kAlgorithm, any other header member kMalformed.
//  3. Every segment is base64url without padding, in canonical form ('=', characters outside
//     the alphabet and non-zero trailing bits are refused), so one token has one spelling.
//  4. The signature is compared in constant time (sodium_memcmp), before any claim is checked.
//  5. "exp" is required (a number of Unix seconds); the token is expired once now >= exp, with no
//     leeway (golang-jwt's rule, which PocketBase uses with no leeway). "nbf", when present,
//     must be <= now. Other claims are the caller's.
//  6. Tokens longer than kMaxJwtBytes are refused before any decoding (kTooLarge).
//  7. An empty key never verifies and encode_jwt refuses it (as golang-jwt does).
//  8. A header segment spelled exactly as encode_jwt spells it is not decoded again: it is the
//     one accepted header, so the outcome is the same.
// All functions are thread-safe; UnverifiedJwt is an immutable value.
#pragma once

#include <array>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace basalt::auth {

inline constexpr std::size_t kMaxJwtBytes = 8 * 1024;

// Why a token was refused. Logs and tests read it; a client only ever learns "invalid token".
enum class JwtStatus {
  kOk,
  kTooLarge,       // over kMaxJwtBytes
  kMalformed,      // not three base64url segments of a JSON object header and payload
  kAlgorithm,      // header alg is not HS256
  kSignature,      // the HMAC does not match (wrong key, tampered token, rotated tokenKey)
  kMissingExpiry,  // no numeric "exp" claim
  kExpired,        // now >= exp
  kNotYetValid,    // now < nbf
};

std::string_view to_string(JwtStatus status) noexcept;

using JwtClock = std::chrono::system_clock;

// An HS256 key prepared once: the HMAC-SHA256 state after absorbing the key (its inner and
// outer pads), so a verification only hashes the token. Holds key material: wiped on
// destruction; immutable, so one may be shared between threads.
class JwtKey {
 public:
  explicit JwtKey(std::string_view key);
  ~JwtKey();
  JwtKey(const JwtKey&) = delete;
  JwtKey& operator=(const JwtKey&) = delete;

  bool empty() const noexcept { return empty_; }
  // The HMAC-SHA256 of `message` under this key.
  std::array<unsigned char, 32> mac(std::string_view message) const;

 private:
  alignas(64) std::array<unsigned char, 512> state_{};  // crypto_auth_hmacsha256_state
  bool empty_ = true;
};

class UnverifiedJwt {
 public:
  // Never throws on bad input: status() says what was wrong.
  static UnverifiedJwt parse(std::string_view token);

  // kOk when the token is well formed (which says nothing about its signature), else why not.
  JwtStatus status() const noexcept { return status_; }

  // The payload object, NOT authenticated until verify() returns kOk (invariant 1). Empty when
  // status() is not kOk.
  const boost::json::object& unverified_claims() const noexcept { return claims_; }

  // kOk when the token was well formed, its HS256 signature matches `key` and it is within its
  // validity window at `now`; otherwise the first failure, in that order.
  JwtStatus verify(std::string_view key, JwtClock::time_point now) const;
  JwtStatus verify(const JwtKey& key, JwtClock::time_point now) const;

 private:
  UnverifiedJwt() = default;

  JwtStatus status_ = JwtStatus::kMalformed;
  std::string signing_input_;  // "<header>.<payload>" as received
  std::array<unsigned char, 32> signature_{};
  boost::json::object claims_;
};

// A signed compact token "<header>.<payload>.<signature>" with header {"alg":"HS256","typ":"JWT"}
// and `claims` serialized in their order. Throws std::invalid_argument on an empty key.
std::string encode_jwt(const boost::json::object& claims, std::string_view key);

}  // namespace basalt::auth
