// AppleNames: Sign in with Apple sends the user's name only on the first sign-in, and only in
// the form_post redirect (a `user` JSON field), never in the id_token. The redirect handler
// remembers it under the authorization code; the sign-in with that code takes it (docs/oauth2.md,
// "The all-in-one flow"). As PocketBase does.
//
// Invariants: at most kMaxAppleNames names, each kept kAppleNameTtl (the oldest dropped first
// when full); codes over kMaxAppleCodeLength are ignored; a name is at most kMaxAppleNameBytes
// (cut at a UTF-8 character boundary); a name is taken once.
//
// Threads: any; one mutex guards the map.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "basalt/core/clock.hpp"

namespace basalt::oauth2 {

inline constexpr std::size_t kMaxAppleNames = 1000;
inline constexpr std::size_t kMaxAppleCodeLength = 1000;
inline constexpr std::size_t kMaxAppleNameBytes = 150;
inline constexpr std::chrono::seconds kAppleNameTtl{60};

// "First Last" from Apple's `user` field ({"name":{"firstName","lastName"}}), trimmed and cut to
// kMaxAppleNameBytes; "" when there is none or the text is not that JSON.
std::string apple_user_name(std::string_view user_json);

class AppleNames {
 public:
  explicit AppleNames(const core::Clock& clock) : clock_(clock) {}

  void remember(std::string_view code, std::string_view user_json);
  // The name remembered for `code` ("" when none or expired), forgotten afterwards.
  std::string take(std::string_view code);

 private:
  struct Entry {
    std::string name;
    std::chrono::steady_clock::time_point expires;
  };

  const core::Clock& clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> names_;
  std::deque<std::string> order_;  // codes, oldest first (may name taken entries)
};

}  // namespace basalt::oauth2
