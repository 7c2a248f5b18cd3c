#include "basalt/oauth2/id_token.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <optional>

#include "basalt/oauth2/base64url.hpp"

namespace basalt::oauth2 {
namespace {

namespace json = boost::json;

json::object decode_object(std::string_view segment, const char* what) {
  auto bytes = base64url_decode(segment);
  if (!bytes) throw IdTokenError(std::string("id_token ") + what + " is not base64url");
  boost::system::error_code ec;
  json::value value = json::parse(*bytes, ec);
  if (ec || !value.is_object()) {
    throw IdTokenError(std::string("id_token ") + what + " is not a JSON object");
  }
  return std::move(value.get_object());
}

std::optional<std::int64_t> number_claim(const json::object& claims, std::string_view name) {
  const json::value* v = claims.if_contains(name);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return static_cast<std::int64_t>(v->get_uint64());
  }
  if (v->is_double()) return static_cast<std::int64_t>(v->get_double());
  throw IdTokenError("id_token " + std::string(name) + " is not a number");
}

std::string string_claim(const json::object& claims, std::string_view name) {
  const json::value* v = claims.if_contains(name);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

void check_audience(const json::object& claims, const std::string& client_id) {
  const json::value* aud = claims.if_contains("aud");
  bool found = false;
  std::size_t count = 0;
  if (aud && aud->is_string()) {
    found = aud->get_string() == client_id;
    count = 1;
  } else if (aud && aud->is_array()) {
    for (const json::value& item : aud->get_array()) {
      ++count;
      if (item.is_string() && item.get_string() == client_id) found = true;
    }
  }
  if (!found) throw IdTokenError("id_token aud does not contain the client id");
  if (count > 1 && claims.contains("azp") && string_claim(claims, "azp") != client_id) {
    throw IdTokenError("id_token azp is not the client id");
  }
}

}  // namespace

UnverifiedIdToken parse_id_token(std::string_view token) {
  if (token.empty()) throw IdTokenError("empty id_token");
  if (token.size() > kMaxIdTokenBytes) throw IdTokenError("id_token too large");
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    throw IdTokenError("id_token is not a compact JWS");
  }
  UnverifiedIdToken out;
  json::object header = decode_object(token.substr(0, first), "header");
  out.claims = decode_object(token.substr(first + 1, second - first - 1), "payload");
  auto signature = base64url_decode(token.substr(second + 1));
  if (!signature || signature->empty()) throw IdTokenError("id_token signature is not base64url");
  out.signature = std::move(*signature);
  out.alg = string_claim(header, "alg");
  out.kid = string_claim(header, "kid");
  if (header.contains("crit")) throw IdTokenError("id_token has critical header extensions");
  out.signing_input = std::string(token.substr(0, second));
  return out;
}

json::object verify_id_token(const UnverifiedIdToken& token, const Jwk& key,
                             const IdTokenExpectations& expected) {
  const bool known_alg = token.alg == "RS256" || token.alg == "RS384" || token.alg == "RS512" ||
                         token.alg == "ES256" || token.alg == "ES384" || token.alg == "ES512";
  if (!known_alg) throw IdTokenError("id_token alg \"" + token.alg + "\" is not accepted");
  if (!verify_jws(key, token.alg, token.signing_input, token.signature)) {
    throw IdTokenError("id_token signature does not verify");
  }
  const json::object& claims = token.claims;
  const std::string iss = string_claim(claims, "iss");
  bool issuer_ok = false;
  for (const auto& issuer : expected.issuers) issuer_ok = issuer_ok || issuer == iss;
  if (!issuer_ok) throw IdTokenError("id_token iss \"" + iss + "\" is not the provider's");
  check_audience(claims, expected.audience);

  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(expected.now.time_since_epoch()).count();
  const std::int64_t leeway = expected.leeway.count();
  auto exp = number_claim(claims, "exp");
  if (!exp) throw IdTokenError("id_token has no exp");
  if (now >= *exp + leeway) throw IdTokenError("id_token expired");
  auto iat = number_claim(claims, "iat");
  if (!iat) throw IdTokenError("id_token has no iat");
  if (*iat > now + leeway) throw IdTokenError("id_token issued in the future");
  if (auto nbf = number_claim(claims, "nbf"); nbf && *nbf > now + leeway) {
    throw IdTokenError("id_token not yet valid");
  }
  if (!expected.nonce.empty() && claims.contains("nonce") &&
      string_claim(claims, "nonce") != expected.nonce) {
    throw IdTokenError("id_token nonce does not match");
  }
  if (string_claim(claims, "sub").empty()) throw IdTokenError("id_token has no sub");
  return claims;
}

}  // namespace basalt::oauth2
