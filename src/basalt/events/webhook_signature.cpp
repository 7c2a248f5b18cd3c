#include "basalt/events/webhook_signature.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
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
  // One HMAC-SHA256 context per thread, its digest set once: OpenSSL's SHA-256 uses the CPU's
  // SHA instructions where it has them, and a delivery's signature went from ≈ 37k instructions
  // (libsodium's portable SHA-256) to a few thousand. Each call starts it again with this key.
  struct Context {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    EVP_MAC_CTX* context = nullptr;
    Context() {
      if (mac == nullptr || (context = EVP_MAC_CTX_new(mac)) == nullptr) return;
      char digest[] = "SHA256";
      const OSSL_PARAM params[] = {
          OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
          OSSL_PARAM_construct_end()};
      if (EVP_MAC_CTX_set_params(context, params) != 1) {
        EVP_MAC_CTX_free(context);
        context = nullptr;
      }
    }
    ~Context() {
      EVP_MAC_CTX_free(context);
      EVP_MAC_free(mac);
    }
  };
  thread_local Context hmac;
  EVP_MAC_CTX* context = hmac.context;
  if (context == nullptr ||
      EVP_MAC_init(context, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                   nullptr) != 1) {
    throw std::runtime_error("OpenSSL's HMAC-SHA256 is unavailable");
  }
  const std::string stamp = std::to_string(timestamp);
  for (const std::string_view part :
       {id, std::string_view("."), std::string_view(stamp), std::string_view("."), body}) {
    EVP_MAC_update(context, reinterpret_cast<const unsigned char*>(part.data()), part.size());
  }
  unsigned char mac[32];
  std::size_t length = 0;
  if (EVP_MAC_final(context, mac, &length, sizeof mac) != 1 || length != sizeof mac) {
    throw std::runtime_error("OpenSSL's HMAC-SHA256 failed");
  }
  return "v1," + base64_encode(std::string_view(reinterpret_cast<const char*>(mac), sizeof mac));
}

}  // namespace basalt::events
