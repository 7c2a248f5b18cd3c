#include "basalt/auth/tokens.hpp"

#include <sodium.h>

#include <boost/json/object.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "basalt/auth/sodium.hpp"

namespace basalt::auth {
namespace {

constexpr std::string_view kTokenKeyAlphabet =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

struct TypeName {
  TokenType type;
  std::string_view name;
};

constexpr TypeName kTypeNames[] = {
    {TokenType::kAuth, "auth"},
    {TokenType::kFile, "file"},
    {TokenType::kVerification, "verification"},
    {TokenType::kPasswordReset, "passwordReset"},
    {TokenType::kEmailChange, "emailChange"},
};

bool carries_email(TokenType type) {
  return type == TokenType::kVerification || type == TokenType::kPasswordReset ||
         type == TokenType::kEmailChange;
}

// A non-empty string member, or "" when absent, empty or not a string.
std::string_view string_claim(const boost::json::object& claims, std::string_view name) {
  const auto* value = claims.if_contains(name);
  if (!value || !value->is_string()) return {};
  return value->get_string();
}

// exp passed UnverifiedJwt::verify, so it is a finite number.
std::int64_t exp_claim(const boost::json::object& claims) {
  const auto& exp = claims.at("exp");
  if (exp.is_int64()) return exp.get_int64();
  if (exp.is_uint64()) return std::numeric_limits<std::int64_t>::max();
  return static_cast<std::int64_t>(std::floor(exp.get_double()));
}

}  // namespace

std::string_view to_string(TokenType type) noexcept {
  for (const auto& row : kTypeNames) {
    if (row.type == type) return row.name;
  }
  return {};
}

std::optional<TokenType> parse_token_type(std::string_view text) noexcept {
  for (const auto& row : kTypeNames) {
    if (row.name == text) return row.type;
  }
  return std::nullopt;
}

std::int64_t expires_at(JwtClock::time_point now, std::chrono::seconds duration) {
  if (duration <= std::chrono::seconds::zero()) {
    throw std::invalid_argument("token duration must be positive");
  }
  return std::chrono::floor<std::chrono::seconds>(now + duration).time_since_epoch().count();
}

std::string issue_token(const TokenClaims& claims, std::string_view token_key,
                        std::string_view secret) {
  if (claims.record_id.empty() || claims.collection_id.empty()) {
    throw std::invalid_argument("issue_token: empty record or collection id");
  }
  // Members in sorted order (see the header).
  boost::json::object payload;
  payload["collectionId"] = claims.collection_id;
  if (carries_email(claims.type)) payload["email"] = claims.email;
  payload["exp"] = claims.expires;
  payload["id"] = claims.record_id;
  if (claims.type == TokenType::kEmailChange) payload["newEmail"] = claims.new_email;
  if (claims.type == TokenType::kAuth) payload["refreshable"] = claims.refreshable;
  payload["type"] = to_string(claims.type);

  std::string key;
  key.reserve(token_key.size() + secret.size());
  key.append(token_key).append(secret);
  std::string token = encode_jwt(payload, key);  // throws on an empty key
  sodium_memzero(key.data(), key.size());
  return token;
}

std::optional<UnverifiedToken> read_unverified_token(std::string_view token) {
  UnverifiedJwt jwt = UnverifiedJwt::parse(token);
  if (jwt.status() != JwtStatus::kOk) return std::nullopt;
  const auto& claims = jwt.unverified_claims();
  const auto type = parse_token_type(string_claim(claims, "type"));
  const auto record_id = string_claim(claims, "id");
  const auto collection_id = string_claim(claims, "collectionId");
  if (!type || record_id.empty() || collection_id.empty()) return std::nullopt;
  return UnverifiedToken{*type, std::string(record_id), std::string(collection_id), std::move(jwt)};
}

std::shared_ptr<const JwtKey> signing_key(std::string_view token_key, std::string_view secret) {
  std::string key;
  key.reserve(token_key.size() + secret.size());
  key.append(token_key).append(secret);
  auto prepared = std::make_shared<const JwtKey>(key);
  sodium_memzero(key.data(), key.size());
  return prepared;
}

std::optional<TokenClaims> verify_token(const UnverifiedToken& token, std::string_view token_key,
                                        std::string_view secret, JwtClock::time_point now,
                                        JwtStatus* status) {
  return verify_token(token, *signing_key(token_key, secret), now, status);
}

std::optional<TokenClaims> verify_token(const UnverifiedToken& token, const JwtKey& key,
                                        JwtClock::time_point now, JwtStatus* status) {
  const JwtStatus verdict = token.jwt.verify(key, now);
  if (status) *status = verdict;
  if (verdict != JwtStatus::kOk) return std::nullopt;

  // The claims are authenticated now; type, id and collectionId are the ones read before.
  const auto& claims = token.jwt.unverified_claims();
  TokenClaims out;
  out.type = token.type;
  out.record_id = token.record_id;
  out.collection_id = token.collection_id;
  out.expires = exp_claim(claims);
  if (const auto* refreshable = claims.if_contains("refreshable")) {
    out.refreshable = refreshable->is_bool() && refreshable->get_bool();
  }
  out.email = std::string(string_claim(claims, "email"));
  out.new_email = std::string(string_claim(claims, "newEmail"));
  return out;
}

std::string new_token_key() {
  init_sodium();
  std::string key(kTokenKeyLength, '\0');
  const auto bound = static_cast<std::uint32_t>(kTokenKeyAlphabet.size());
  for (char& c : key) c = kTokenKeyAlphabet[randombytes_uniform(bound)];
  return key;
}

}  // namespace basalt::auth
