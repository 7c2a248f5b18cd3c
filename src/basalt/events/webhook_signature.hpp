// Standard Webhooks signing (docs/events.md, "Verifying a delivery"): the secret is
// `whsec_` + base64 of the key bytes; the signature of a delivery is
// `v1,` + base64(HMAC-SHA256(key, id + "." + timestamp + "." + body)).
// Thread safety: pure functions (libsodium is initialised by the first call).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace basalt::events {

inline constexpr std::string_view kSecretPrefix = "whsec_";
inline constexpr std::size_t kSecretKeyBytes = 32;  // generated keys; at least 24 accepted

// A new secret: `whsec_` + base64 of kSecretKeyBytes random bytes.
std::string generate_webhook_secret();

// The key bytes of `secret`, or nullopt when it is not `whsec_` + standard base64 of 24 to
// 64 bytes.
std::optional<std::string> webhook_secret_key(std::string_view secret);

// The `webhook-signature` header value for one delivery.
std::string webhook_signature(std::string_view key, std::string_view id, std::int64_t timestamp,
                              std::string_view body);

std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace basalt::events
