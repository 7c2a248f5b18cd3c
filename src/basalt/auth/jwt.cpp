#include "basalt/auth/jwt.hpp"

#include <sodium.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <cstring>
#include <optional>
#include <stdexcept>

#include "basalt/auth/sodium.hpp"

namespace basalt::auth {
namespace {

constexpr int kBase64Url = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
constexpr std::string_view kHeaderJson = R"({"alg":"HS256","typ":"JWT"})";

using Mac = std::array<unsigned char, crypto_auth_hmacsha256_BYTES>;

const unsigned char* bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

std::string base64url(std::string_view data) {
  std::string out(sodium_base64_ENCODED_LEN(data.size(), kBase64Url), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes(data), data.size(), kBase64Url);
  out.resize(out.size() - 1);  // the encoded length counts the terminating NUL
  return out;
}

// The decoded bytes, or nullopt unless all of `text` is canonical unpadded base64url
// (invariant 3: passing no end pointer makes libsodium refuse a partial decode).
std::optional<std::string> decode_base64url(std::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &length, nullptr, kBase64Url) != 0) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

std::optional<boost::json::object> decode_json_object(std::string_view segment) {
  auto text = decode_base64url(segment);
  if (!text) return std::nullopt;
  boost::system::error_code error;
  boost::json::value value = boost::json::parse(*text, error);
  if (error || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

Mac hmac_sha256(std::string_view key, std::string_view message) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, bytes(key), key.size());
  crypto_auth_hmacsha256_update(&state, bytes(message), message.size());
  Mac mac;
  crypto_auth_hmacsha256_final(&state, mac.data());
  sodium_memzero(&state, sizeof state);  // it holds key-derived pads
  return mac;
}

// Invariant 2.
JwtStatus check_header(const boost::json::object& header) {
  const auto* alg = header.if_contains("alg");
  if (!alg || !alg->is_string() || alg->get_string() != "HS256") return JwtStatus::kAlgorithm;
  for (const auto& member : header) {
    if (member.key() == "alg") continue;
    if (member.key() == "typ" && member.value().is_string() &&
        member.value().get_string() == "JWT") {
      continue;
    }
    return JwtStatus::kMalformed;
  }
  return JwtStatus::kOk;
}

// Whether `now` has reached the instant `value` (a JSON number of Unix seconds); nullopt when
// `value` is not a finite number.
std::optional<bool> reached(const boost::json::value& value, JwtClock::time_point now) {
  if (value.is_int64()) {
    return std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count() >=
           value.get_int64();
  }
  if (value.is_uint64()) return false;  // beyond the int64 range: centuries away
  if (value.is_double() && std::isfinite(value.get_double())) {
    return std::chrono::duration<double>(now.time_since_epoch()).count() >= value.get_double();
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(JwtStatus status) noexcept {
  switch (status) {
    case JwtStatus::kOk:
      return "ok";
    case JwtStatus::kTooLarge:
      return "token too large";
    case JwtStatus::kMalformed:
      return "malformed token";
    case JwtStatus::kAlgorithm:
      return "unsupported algorithm";
    case JwtStatus::kSignature:
      return "signature mismatch";
    case JwtStatus::kMissingExpiry:
      return "missing exp claim";
    case JwtStatus::kExpired:
      return "token expired";
    case JwtStatus::kNotYetValid:
      return "token not valid yet";
  }
  return "unknown";
}

UnverifiedJwt UnverifiedJwt::parse(std::string_view token) {
  UnverifiedJwt jwt;
  if (token.size() > kMaxJwtBytes) {
    jwt.status_ = JwtStatus::kTooLarge;
    return jwt;
  }
  const std::size_t first_dot = token.find('.');
  const std::size_t last_dot = token.rfind('.');
  if (first_dot == std::string_view::npos || first_dot == last_dot) return jwt;  // kMalformed
  const std::string_view header_segment = token.substr(0, first_dot);
  const std::string_view payload_segment = token.substr(first_dot + 1, last_dot - first_dot - 1);
  const std::string_view signature_segment = token.substr(last_dot + 1);

  auto header = decode_json_object(header_segment);
  if (!header) return jwt;
  if (JwtStatus status = check_header(*header); status != JwtStatus::kOk) {
    jwt.status_ = status;
    return jwt;
  }
  // A '.' inside the payload segment is not base64url, so this also refuses extra segments.
  auto claims = decode_json_object(payload_segment);
  if (!claims) return jwt;
  auto signature = decode_base64url(signature_segment);
  if (!signature || signature->size() != jwt.signature_.size()) return jwt;

  std::memcpy(jwt.signature_.data(), signature->data(), jwt.signature_.size());
  jwt.signing_input_ = std::string(token.substr(0, last_dot));
  jwt.claims_ = std::move(*claims);
  jwt.status_ = JwtStatus::kOk;
  return jwt;
}

JwtStatus UnverifiedJwt::verify(std::string_view key, JwtClock::time_point now) const {
  if (status_ != JwtStatus::kOk) return status_;
  init_sodium();
  if (key.empty()) return JwtStatus::kSignature;
  const Mac expected = hmac_sha256(key, signing_input_);
  if (sodium_memcmp(expected.data(), signature_.data(), expected.size()) != 0) {
    return JwtStatus::kSignature;
  }

  const auto* exp = claims_.if_contains("exp");
  const auto expired = exp ? reached(*exp, now) : std::nullopt;
  if (!expired) return JwtStatus::kMissingExpiry;
  if (*expired) return JwtStatus::kExpired;
  if (const auto* nbf = claims_.if_contains("nbf")) {
    const auto started = reached(*nbf, now);
    if (!started) return JwtStatus::kMalformed;
    if (!*started) return JwtStatus::kNotYetValid;
  }
  return JwtStatus::kOk;
}

std::string encode_jwt(const boost::json::object& claims, std::string_view key) {
  if (key.empty()) throw std::invalid_argument("encode_jwt: empty signing key");
  init_sodium();
  static const std::string header = base64url(kHeaderJson);
  std::string token = header;
  token += '.';
  token += base64url(boost::json::serialize(claims));
  const Mac mac = hmac_sha256(key, token);
  token += '.';
  token += base64url(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
  return token;
}

}  // namespace basalt::auth
