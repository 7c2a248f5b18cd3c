// JSON Web Keys (RFC 7517) of an OpenID provider and JWS signature checks (RFC 7515/7518) with
// OpenSSL: RS256/RS384/RS512 (RSA keys of at least 2048 bits) and ES256/ES384/ES512 (P-256,
// P-384, P-521). Nothing else verifies: "none", HMAC and unknown algorithms are refused.
//
// A JwkSet is immutable once parsed and may be shared between threads.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace basalt::oauth2 {

inline constexpr std::size_t kMaxJwks = 64;  // keys kept of one set; more are ignored

struct PublicKey;  // the OpenSSL key (jwk.cpp)

struct Jwk {
  std::string kid;
  std::string kty;  // "RSA" or "EC"
  std::string alg;  // "" when the set does not say
  std::shared_ptr<const PublicKey> key;
};

class JwkSet {
 public:
  // The usable signature keys of a JWKS document ({"keys":[...]}): keys of other types, uses
  // ("enc") or curves are skipped. nullopt when the text is not such a document.
  static std::optional<JwkSet> parse(std::string_view json);

  // The key with `kid`; with an empty `kid`, the only key of the set if it has exactly one.
  const Jwk* find(std::string_view kid) const noexcept;
  std::size_t size() const noexcept { return keys_.size(); }

 private:
  std::vector<Jwk> keys_;
};

// True when `signature` (raw JWS bytes) signs `signing_input` under `key` with `alg`, and `alg`
// fits the key (its type, its curve, its own "alg" when set).
bool verify_jws(const Jwk& key, std::string_view alg, std::string_view signing_input,
                std::string_view signature);

}  // namespace basalt::oauth2
