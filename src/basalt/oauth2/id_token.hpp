// OpenID Connect id_token checks (OpenID Connect Core 1.0 §3.1.3.7), used for the generic OIDC
// providers and Apple (docs/oauth2.md, "id_token checks"):
//
//   1. compact JWS of three base64url segments, at most kMaxIdTokenBytes, JSON header and claims;
//   2. header "alg" is RS256/384/512 or ES256/384/512 (never "none" or HMAC); the key is the
//      provider's JWKS key named by "kid" and must fit the algorithm (jwk.hpp);
//   3. the signature verifies;
//   4. "iss" is one of the expected issuers (compared exactly);
//   5. "aud" (a string or an array) contains the client id; with several audiences, "azp" when
//      present must be the client id;
//   6. "exp" is required and now < exp + leeway; "iat" is required and iat <= now + leeway;
//      "nbf", when present, nbf <= now + leeway;
//   7. when a nonce was sent, a "nonce" claim in the token must equal it.
// The first failed check throws IdTokenError, whose message names it (for the server log; the
// client only learns that the user could not be fetched).
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/oauth2/jwk.hpp"

namespace basalt::oauth2 {

inline constexpr std::size_t kMaxIdTokenBytes = 16 * 1024;
inline constexpr std::chrono::seconds kIdTokenLeeway{60};

class IdTokenError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct UnverifiedIdToken {
  std::string alg;
  std::string kid;
  std::string signing_input;   // "<header>.<payload>" as received
  std::string signature;       // raw bytes
  boost::json::object claims;  // not trusted before verify_id_token() returns
};

// Step 1 (and reading the header). Throws IdTokenError.
UnverifiedIdToken parse_id_token(std::string_view token);

struct IdTokenExpectations {
  std::vector<std::string> issuers;  // at least one
  std::string audience;              // the client id
  std::string nonce;                 // "" when none was sent
  std::chrono::system_clock::time_point now;
  std::chrono::seconds leeway = kIdTokenLeeway;
};

// Steps 2-7 with `key` (the caller picks it from the JWKS by token.kid). Returns the claims.
boost::json::object verify_id_token(const UnverifiedIdToken& token, const Jwk& key,
                                    const IdTokenExpectations& expected);

}  // namespace basalt::oauth2
