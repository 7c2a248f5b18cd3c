#include "basalt/auth/jwt.hpp"

#include <sodium.h>

#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <cstdint>
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

// The value of each base64url character (RFC 4648 §5), -1 for every other byte.
constexpr std::array<signed char, 256> kBase64UrlValues = [] {
  std::array<signed char, 256> values{};
  values.fill(-1);
  constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    values[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
  }
  return values;
}();

// The decoded bytes, or nullopt unless all of `text` is canonical unpadded base64url
// (invariant 3): only alphabet characters (no '='), no length of 1 mod 4, and zero bits past
// the last whole byte. Not constant-time, and it need not be: a token is the client's own data;
// the secret is the key, and signatures are compared in constant time (invariant 4).
std::optional<std::string> decode_base64url(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  std::uint32_t pending = 0;  // bits read but not yet written, `bits` of them
  int bits = 0;
  for (const char c : text) {
    const signed char value = kBase64UrlValues[static_cast<unsigned char>(c)];
    if (value < 0) return std::nullopt;
    pending = (pending << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((pending >> bits) & 0xFF));
      pending &= (1u << bits) - 1;
    }
  }
  if (pending != 0) return std::nullopt;  // non-zero trailing bits: a second spelling
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

// The header segment encode_jwt writes (invariant 8).
const std::string& issued_header_segment() {
  static const std::string segment = base64url(kHeaderJson);
  return segment;
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

  if (header_segment != issued_header_segment()) {
    auto header = decode_json_object(header_segment);
    if (!header) return jwt;
    if (JwtStatus status = check_header(*header); status != JwtStatus::kOk) {
      jwt.status_ = status;
      return jwt;
    }
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

JwtKey::JwtKey(std::string_view key) : empty_(key.empty()) {
  static_assert(sizeof(crypto_auth_hmacsha256_state) <= sizeof(state_));
  init_sodium();
  auto* state = reinterpret_cast<crypto_auth_hmacsha256_state*>(state_.data());
  crypto_auth_hmacsha256_init(state, bytes(key), key.size());
}

JwtKey::~JwtKey() {
  sodium_memzero(state_.data(), state_.size());
}

Mac JwtKey::mac(std::string_view message) const {
  crypto_auth_hmacsha256_state state;
  std::memcpy(&state, state_.data(), sizeof state);
  crypto_auth_hmacsha256_update(&state, bytes(message), message.size());
  Mac mac;
  crypto_auth_hmacsha256_final(&state, mac.data());
  sodium_memzero(&state, sizeof state);
  return mac;
}

JwtStatus UnverifiedJwt::verify(std::string_view key, JwtClock::time_point now) const {
  if (status_ != JwtStatus::kOk) return status_;
  return verify(JwtKey(key), now);
}

JwtStatus UnverifiedJwt::verify(const JwtKey& key, JwtClock::time_point now) const {
  if (status_ != JwtStatus::kOk) return status_;
  if (key.empty()) return JwtStatus::kSignature;
  const Mac expected = key.mac(signing_input_);
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
  std::string token = issued_header_segment();
  token += '.';
  token += base64url(boost::json::serialize(claims));
  const Mac mac = hmac_sha256(key, token);
  token += '.';
  token += base64url(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
  return token;
}

}  // namespace basalt::auth
