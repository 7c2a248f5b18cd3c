// POST /api/settings/apple/generate-client-secret (superusers; docs/oauth2.md, "Providers"): the
// client secret Sign in with Apple wants is a JWT the app signs itself, ES256 with the P-256
// key from Apple's developer console: {iss: teamId, sub: clientId, aud: appleid.apple.com,
// exp, iat}, header kid = keyId. It is made here and stored as the apple provider's
// clientSecret like any other secret.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <string>

namespace basalt::oauth2 {

inline constexpr std::int64_t kMaxAppleSecretSeconds = 15'777'000;  // about six months
inline constexpr std::size_t kMaxPrivateKeyBytes = 16 * 1024;

struct AppleSecretRequest {
  std::string client_id;
  std::string team_id;        // 10 characters
  std::string key_id;         // 10 characters
  std::string private_key;    // PEM "-----BEGIN PRIVATE KEY-----" (PKCS#8), P-256
  std::int64_t duration = 0;  // seconds, 1..kMaxAppleSecretSeconds
};

// The signed secret. Throws core::ApiError 400 "Invalid client secret data." with field errors,
// or 400 "Failed to generate client secret." when the key cannot be used.
std::string apple_client_secret(const AppleSecretRequest& request,
                                std::chrono::system_clock::time_point now);

}  // namespace basalt::oauth2
