#include "basalt/events/webhook_signature.hpp"

#include <sodium.h>

#include <stdexcept>

namespace basalt::events {

namespace {

void ensure_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium failed to initialise");
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  ensure_sodium();
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  ensure_sodium();
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &length, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

std::string generate_webhook_secret() {
  ensure_sodium();
  std::string key(kSecretKeyBytes, '\0');
  randombytes_buf(key.data(), key.size());
  std::string secret(kSecretPrefix);
  secret += base64_encode(key);
  sodium_memzero(key.data(), key.size());
  return secret;
}

std::optional<std::string> webhook_secret_key(std::string_view secret) {
  if (secret.size() > 200 || !secret.starts_with(kSecretPrefix)) return std::nullopt;
  std::optional<std::string> key = base64_decode(secret.substr(kSecretPrefix.size()));
  if (!key || key->size() < 24 || key->size() > 64) return std::nullopt;
  return key;
}

std::string webhook_signature(std::string_view key, std::string_view id, std::int64_t timestamp,
                              std::string_view body) {
  ensure_sodium();
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  const std::string stamp = std::to_string(timestamp);
  auto feed = [&state](std::string_view part) {
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(part.data()),
                                  part.size());
  };
  feed(id);
  feed(".");
  feed(stamp);
  feed(".");
  feed(body);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  return "v1," + base64_encode(std::string_view(reinterpret_cast<const char*>(mac), sizeof mac));
}

}  // namespace basalt::events
