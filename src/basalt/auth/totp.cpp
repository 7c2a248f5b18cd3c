#include "basalt/auth/totp.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <array>
#include <stdexcept>

#include "basalt/auth/sodium.hpp"

namespace basalt::auth {
namespace {

constexpr std::string_view kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

std::uint32_t power_of_ten(int digits) {
  std::uint32_t out = 1;
  for (int i = 0; i < digits; ++i) out *= 10;
  return out;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0f];
    }
  }
  return out;
}

}  // namespace

std::int64_t totp_step(std::chrono::system_clock::time_point now) noexcept {
  const std::int64_t seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  // Floor division: a time before the epoch has a negative step (never used in practice).
  return seconds >= 0 ? seconds / kTotpPeriodSeconds
                      : -((-seconds + kTotpPeriodSeconds - 1) / kTotpPeriodSeconds);
}

std::string totp_code(std::span<const std::uint8_t> secret, std::int64_t step, int digits) {
  if (digits < 6 || digits > 8) throw std::invalid_argument("TOTP codes have 6 to 8 digits");
  std::array<std::uint8_t, 8> counter{};
  auto value = static_cast<std::uint64_t>(step);
  for (int i = 7; i >= 0; --i) {
    counter[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(value & 0xff);
    value >>= 8;
  }
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_length = 0;
  if (!HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()), counter.data(),
            counter.size(), mac.data(), &mac_length) ||
      mac_length != 20) {
    throw std::runtime_error("HMAC-SHA-1 failed");
  }
  // Dynamic truncation (RFC 4226 section 5.3).
  const std::size_t offset = mac[19] & 0x0f;
  const std::uint32_t binary = (static_cast<std::uint32_t>(mac[offset] & 0x7f) << 24) |
                               (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
                               (static_cast<std::uint32_t>(mac[offset + 2]) << 8) |
                               static_cast<std::uint32_t>(mac[offset + 3]);
  std::string code = std::to_string(binary % power_of_ten(digits));
  return std::string(static_cast<std::size_t>(digits) - code.size(), '0') + code;
}

std::optional<std::int64_t> match_totp(std::span<const std::uint8_t> secret, std::string_view code,
                                       std::int64_t current_step, std::int64_t last_used_step) {
  if (code.size() != static_cast<std::size_t>(kTotpDigits)) return std::nullopt;
  for (char c : code) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  init_sodium();
  // Every candidate is computed and compared, so the time taken does not tell which matched.
  std::optional<std::int64_t> matched;
  for (std::int64_t step = current_step - kTotpWindowSteps; step <= current_step + kTotpWindowSteps;
       ++step) {
    const std::string expected = totp_code(secret, step, kTotpDigits);
    const bool equal = sodium_memcmp(expected.data(), code.data(), expected.size()) == 0;
    if (equal && step > last_used_step && !matched) matched = step;
  }
  return matched;
}

std::string base32_encode(std::span<const std::uint8_t> bytes) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::uint8_t byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += kBase32Alphabet[(buffer >> (bits - 5)) & 0x1f];
      bits -= 5;
    }
  }
  if (bits > 0) out += kBase32Alphabet[(buffer << (5 - bits)) & 0x1f];
  return out;
}

std::optional<std::vector<std::uint8_t>> base32_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::vector<std::uint8_t> out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == ' ') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    const auto index = kBase32Alphabet.find(c);
    if (index == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 5) | static_cast<std::uint32_t>(index);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<std::uint8_t>((buffer >> (bits - 8)) & 0xff));
      bits -= 8;
    }
  }
  return out;
}

std::string totp_uri(std::string_view issuer, std::string_view account,
                     std::string_view base32_secret) {
  const std::string encoded_issuer = percent_encode(issuer);
  return "otpauth://totp/" + encoded_issuer + ":" + percent_encode(account) +
         "?secret=" + std::string(base32_secret) + "&issuer=" + encoded_issuer +
         "&period=" + std::to_string(kTotpPeriodSeconds) +
         "&digits=" + std::to_string(kTotpDigits) + "&algorithm=SHA1";
}

}  // namespace basalt::auth
