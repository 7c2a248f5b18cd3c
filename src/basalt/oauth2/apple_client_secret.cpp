#include "basalt/oauth2/apple_client_secret.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <boost/json/serialize.hpp>

#include "basalt/core/api_error.hpp"
#include "basalt/oauth2/base64url.hpp"

namespace basalt::oauth2 {
namespace {

namespace json = boost::json;

constexpr std::string_view kPemBegin = "-----BEGIN PRIVATE KEY-----";
constexpr std::string_view kPemEnd = "-----END PRIVATE KEY-----";

[[noreturn]] void generation_failed(std::string_view why) {
  throw core::ApiError::bad_request("Failed to generate client secret. Raw error: \n" +
                                    std::string(why));
}

void check(const AppleSecretRequest& r) {
  json::object errors;
  auto add = [&](std::string_view key, std::string_view code, std::string message) {
    errors[key] = {{"code", code}, {"message", std::move(message)}};
  };
  if (r.client_id.empty()) add("clientId", "validation_required", "Cannot be blank.");
  for (auto [key, value] : {std::pair{"teamId", &r.team_id}, std::pair{"keyId", &r.key_id}}) {
    if (value->empty()) {
      add(key, "validation_required", "Cannot be blank.");
    } else if (value->size() != 10) {
      add(key, "validation_length_invalid", "The length must be exactly 10.");
    }
  }
  if (r.private_key.empty()) {
    add("privateKey", "validation_required", "Cannot be blank.");
  } else if (r.private_key.size() > kMaxPrivateKeyBytes ||
             r.private_key.find(kPemBegin) == std::string::npos ||
             r.private_key.find(kPemEnd) == std::string::npos) {
    add("privateKey", "validation_match_invalid", "Must be in a valid format.");
  }
  if (r.duration == 0) {
    add("duration", "validation_required", "Cannot be blank.");
  } else if (r.duration < 1) {
    add("duration", "validation_min_greater_equal_than_required", "Must be no less than 1.");
  } else if (r.duration > kMaxAppleSecretSeconds) {
    add("duration", "validation_max_less_equal_than_required",
        "Must be no greater than " + std::to_string(kMaxAppleSecretSeconds) + ".");
  }
  if (!errors.empty()) throw core::ApiError::bad_request("Invalid client secret data.", errors);
}

}  // namespace

std::string apple_client_secret(const AppleSecretRequest& request,
                                std::chrono::system_clock::time_point now) {
  check(request);
  BIO* bio =
      BIO_new_mem_buf(request.private_key.data(), static_cast<int>(request.private_key.size()));
  EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(bio);
  if (!key) generation_failed("the private key is not a PEM PKCS#8 key");
  char group[64] = {};
  std::size_t group_length = 0;
  const bool p256 = EVP_PKEY_base_id(key) == EVP_PKEY_EC &&
                    EVP_PKEY_get_group_name(key, group, sizeof group, &group_length) == 1 &&
                    std::string_view(group, group_length) == "prime256v1";
  if (!p256) {
    EVP_PKEY_free(key);
    generation_failed("the private key is not an EC P-256 key");
  }
  const std::int64_t iat =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  json::object header{{"alg", "ES256"}, {"kid", request.key_id}, {"typ", "JWT"}};
  json::object claims{{"iss", request.team_id},
                      {"sub", request.client_id},
                      {"aud", json::array{"https://appleid.apple.com"}},
                      {"exp", iat + request.duration},
                      {"iat", iat}};
  const std::string input =
      base64url_encode(json::serialize(header)) + "." + base64url_encode(json::serialize(claims));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::size_t length = 0;
  std::string der;
  bool ok = ctx && EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestSign(ctx, nullptr, &length,
                           reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  if (ok) {
    der.resize(length);
    ok = EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(der.data()), &length,
                        reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
    der.resize(length);
  }
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  if (!ok) generation_failed("signing failed");
  // DER ECDSA signature -> JWS R || S (32 bytes each).
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  if (!sig) generation_failed("signing failed");
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(sig);
  return input + "." + base64url_encode(raw);
}

}  // namespace basalt::oauth2
