// base64url (RFC 4648 §5) for JOSE values: JWT segments, JWK members, PKCE challenges.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace basalt::oauth2 {

// Without padding.
std::string base64url_encode(std::string_view bytes);
// Accepts the unpadded form and, as some JWKS publish it, trailing '=' padding; nullopt for any
// character outside the alphabet or an impossible length.
std::optional<std::string> base64url_decode(std::string_view text);

// PKCE S256 (RFC 7636 §4.2): base64url(SHA-256(verifier)).
std::string s256_challenge(std::string_view verifier);

}  // namespace basalt::oauth2
