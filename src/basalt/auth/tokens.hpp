// Record tokens: the JWTs issued for a record of an auth collection (docs/security.md, "Tokens and
// the authRule on every request"; PocketBase core/record_tokens.go, core/record_query.go
// FindAuthRecordByToken).
//
// Claims per type, serialized in the sorted order golang-jwt gives PocketBase's tokens:
//   auth           collectionId, exp, id, refreshable, type
//   file           collectionId, exp, id, type
//   verification   collectionId, email, exp, id, type
//   passwordReset  collectionId, email, exp, id, type
//   emailChange    collectionId, email, exp, id, newEmail, type
// No iat/iss/sub. Impersonation ("static") tokens are auth tokens with refreshable false.
//
// Signing key = the record's tokenKey followed by the collection's secret for the token's type
// (record.TokenKey() + collection.<Type>Token.Secret), HS256 (jwt.hpp).
//
// Reading a token:
//   auto claimed = read_unverified_token(token);           // untrusted: which record to load
//   ... check claimed->type is accepted here; load record claimed->record_id from collection
//       claimed->collection_id, which must be an auth collection ...
//   auto claims = verify_token(*claimed, record.token_key, collection_secret_for_type, now);
//
// Invariants:
//  1. Nothing in an UnverifiedToken is trusted except to find the key. verify_token returns
//     claims only after the signature and exp checks pass, and they are the signed ones.
//  2. A new tokenKey for a record (set on password or email change) invalidates every token
//     it had: they were signed with the old key. A new collection secret does the same for
//     every token of that type in the collection.
//  3. Every token carries id, type, collectionId and exp: the JS SDK reads them from the
//     payload (authStore.isValid checks exp; isSuperuser checks type and collectionId).
// All functions are thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "basalt/auth/jwt.hpp"

namespace basalt::auth {

enum class TokenType { kAuth, kFile, kVerification, kPasswordReset, kEmailChange };

// The "type" claim: "auth", "file", "verification", "passwordReset", "emailChange".
std::string_view to_string(TokenType type) noexcept;
std::optional<TokenType> parse_token_type(std::string_view text) noexcept;

struct TokenClaims {
  TokenType type = TokenType::kAuth;
  std::string record_id;      // "id"
  std::string collection_id;  // "collectionId"
  std::int64_t expires = 0;   // "exp": Unix seconds
  bool refreshable = false;   // "refreshable": auth tokens only
  std::string email;          // "email": verification, passwordReset and emailChange tokens
  std::string new_email;      // "newEmail": emailChange tokens
  friend bool operator==(const TokenClaims&, const TokenClaims&) = default;
};

// exp for a token issued at `now` that lasts `duration` (the collection's duration for the
// type, in seconds): now + duration, in whole seconds rounded down, as PocketBase computes it.
// Throws std::invalid_argument unless duration > 0.
std::int64_t expires_at(JwtClock::time_point now, std::chrono::seconds duration);

// A signed token with the claims of `claims.type` (other members are left out, e.g. email of
// an auth token). Throws std::invalid_argument when record_id or collection_id is empty, or
// token_key + secret is.
std::string issue_token(const TokenClaims& claims, std::string_view token_key,
                        std::string_view secret);

// What a token claims to be, before verification; all of it untrusted (invariant 1).
struct UnverifiedToken {
  TokenType type;
  std::string record_id;
  std::string collection_id;
  UnverifiedJwt jwt;
};

// nullopt unless the token is a well-formed HS256 JWT whose payload has a non-empty string id
// and collectionId and a known type.
std::optional<UnverifiedToken> read_unverified_token(std::string_view token);

// The token's claims when its signature matches token_key + secret and it has not expired at
// `now`; nullopt otherwise (and `*status`, when given, says why). `token_key` must be the
// tokenKey of record token.record_id in collection token.collection_id, `secret` that
// collection's secret for token.type.
std::optional<TokenClaims> verify_token(const UnverifiedToken& token, std::string_view token_key,
                                        std::string_view secret, JwtClock::time_point now,
                                        JwtStatus* status = nullptr);

// The prepared key of tokens signed with token_key + secret (for callers that verify many
// tokens of one record, e.g. the auth record cache).
std::shared_ptr<const JwtKey> signing_key(std::string_view token_key, std::string_view secret);

// verify_token() with a key from signing_key(token_key, secret) of that record and collection.
std::optional<TokenClaims> verify_token(const UnverifiedToken& token, const JwtKey& key,
                                        JwtClock::time_point now, JwtStatus* status = nullptr);

inline constexpr std::size_t kTokenKeyLength = 50;

// A fresh record tokenKey: kTokenKeyLength characters of [a-zA-Z0-9] from libsodium's CSPRNG.
std::string new_token_key();

}  // namespace basalt::auth
