#include "basalt/oauth2/jwk.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "basalt/oauth2/base64url.hpp"
#include "basalt/oauth2/json_members.hpp"

namespace basalt::oauth2 {

struct PublicKey {
  EVP_PKEY* pkey = nullptr;
  std::string curve;         // EC: "P-256", "P-384", "P-521"
  std::size_t rsa_bits = 0;  // RSA
  ~PublicKey() { EVP_PKEY_free(pkey); }
};

namespace {

namespace json = boost::json;

struct BnDeleter {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using Bn = std::unique_ptr<BIGNUM, BnDeleter>;

Bn to_bn(const std::string& bytes) {
  return Bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                      static_cast<int>(bytes.size()), nullptr));
}

EVP_PKEY* from_params(const char* type, OSSL_PARAM_BLD* builder) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(builder);
  EVP_PKEY* pkey = nullptr;
  if (params) {
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
    if (ctx && EVP_PKEY_fromdata_init(ctx) == 1) {
      EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params);
    }
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
  }
  return pkey;
}

std::shared_ptr<const PublicKey> rsa_key(const json::object& o) {
  auto n = base64url_decode(string_member(o, "n"));
  auto e = base64url_decode(string_member(o, "e"));
  if (!n || !e || n->empty() || e->empty() || e->size() > 8) return nullptr;
  Bn bn_n = to_bn(*n), bn_e = to_bn(*e);
  if (!bn_n || !bn_e) return nullptr;
  const int bits = BN_num_bits(bn_n.get());
  if (bits < 2048 || bits > 8192) return nullptr;
  OSSL_PARAM_BLD* builder = OSSL_PARAM_BLD_new();
  if (!builder) return nullptr;
  EVP_PKEY* pkey = nullptr;
  if (OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_N, bn_n.get()) == 1 &&
      OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_E, bn_e.get()) == 1) {
    pkey = from_params("RSA", builder);
  }
  OSSL_PARAM_BLD_free(builder);
  if (!pkey) return nullptr;
  auto key = std::make_shared<PublicKey>();
  key->pkey = pkey;
  key->rsa_bits = static_cast<std::size_t>(bits);
  return key;
}

// Coordinate length in bytes and OpenSSL group name of a JOSE curve.
bool curve_info(std::string_view crv, std::size_t& length, const char*& group) {
  if (crv == "P-256") {
    length = 32, group = "prime256v1";
  } else if (crv == "P-384") {
    length = 48, group = "secp384r1";
  } else if (crv == "P-521") {
    length = 66, group = "secp521r1";
  } else {
    return false;
  }
  return true;
}

std::shared_ptr<const PublicKey> ec_key(const json::object& o) {
  const std::string crv = string_member(o, "crv");
  std::size_t length = 0;
  const char* group = nullptr;
  if (!curve_info(crv, length, group)) return nullptr;
  auto x = base64url_decode(string_member(o, "x"));
  auto y = base64url_decode(string_member(o, "y"));
  if (!x || !y || x->size() != length || y->size() != length) return nullptr;
  std::string point = "\x04" + *x + *y;  // uncompressed SEC1 point
  OSSL_PARAM_BLD* builder = OSSL_PARAM_BLD_new();
  if (!builder) return nullptr;
  EVP_PKEY* pkey = nullptr;
  if (OSSL_PARAM_BLD_push_utf8_string(builder, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) == 1 &&
      OSSL_PARAM_BLD_push_octet_string(builder, OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) == 1) {
    pkey = from_params("EC", builder);
  }
  OSSL_PARAM_BLD_free(builder);
  if (!pkey) return nullptr;
  auto key = std::make_shared<PublicKey>();
  key->pkey = pkey;
  key->curve = crv;
  return key;
}

const EVP_MD* digest_of(std::string_view alg) {
  const std::string_view bits = alg.size() == 5 ? alg.substr(2) : std::string_view();
  if (bits == "256") return EVP_sha256();
  if (bits == "384") return EVP_sha384();
  if (bits == "512") return EVP_sha512();
  return nullptr;
}

// The DER form OpenSSL verifies of a JWS ECDSA signature (R || S, each `length` bytes).
std::optional<std::string> ecdsa_der(std::string_view raw, std::size_t length) {
  if (raw.size() != 2 * length) return std::nullopt;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  if (!sig) return std::nullopt;
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()),
                        static_cast<int>(length), nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + length,
                        static_cast<int>(length), nullptr);
  std::optional<std::string> out;
  if (r && s && ECDSA_SIG_set0(sig, r, s) == 1) {
    unsigned char* der = nullptr;
    const int n = i2d_ECDSA_SIG(sig, &der);
    if (n > 0) out.emplace(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n));
    OPENSSL_free(der);
  } else {
    BN_free(r);
    BN_free(s);
  }
  ECDSA_SIG_free(sig);
  return out;
}

}  // namespace

std::optional<JwkSet> JwkSet::parse(std::string_view text) {
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec || !doc.is_object()) return std::nullopt;
  const json::value* keys = doc.get_object().if_contains("keys");
  if (!keys || !keys->is_array()) return std::nullopt;
  JwkSet set;
  for (const json::value& item : keys->get_array()) {
    if (set.keys_.size() >= kMaxJwks) break;
    if (!item.is_object()) continue;
    const json::object& o = item.get_object();
    const std::string use = string_member(o, "use");
    if (!use.empty() && use != "sig") continue;
    Jwk jwk{string_member(o, "kid"), string_member(o, "kty"), string_member(o, "alg"), nullptr};
    if (jwk.kty == "RSA") {
      jwk.key = rsa_key(o);
    } else if (jwk.kty == "EC") {
      jwk.key = ec_key(o);
    }
    if (jwk.key) set.keys_.push_back(std::move(jwk));
  }
  return set;
}

const Jwk* JwkSet::find(std::string_view kid) const noexcept {
  if (kid.empty()) return keys_.size() == 1 ? &keys_.front() : nullptr;
  for (const Jwk& key : keys_) {
    if (key.kid == kid) return &key;
  }
  return nullptr;
}

bool verify_jws(const Jwk& key, std::string_view alg, std::string_view signing_input,
                std::string_view signature) {
  if (!key.key || (!key.alg.empty() && key.alg != alg)) return false;
  const EVP_MD* md = digest_of(alg);
  if (!md) return false;
  std::string der;
  std::string_view checked = signature;
  if (alg.starts_with("RS")) {
    if (key.kty != "RSA") return false;
  } else if (alg.starts_with("ES")) {
    std::size_t length = 0;
    const char* group = nullptr;
    if (key.kty != "EC" || !curve_info(key.key->curve, length, group)) return false;
    // Each curve has exactly one JWS algorithm (RFC 7518 §3.4).
    const std::string_view expected = key.key->curve == "P-256"   ? "ES256"
                                      : key.key->curve == "P-384" ? "ES384"
                                                                  : "ES512";
    if (alg != expected) return false;
    auto converted = ecdsa_der(signature, length);
    if (!converted) return false;
    der = std::move(*converted);
    checked = der;
  } else {
    return false;
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (!ctx) return false;
  bool ok =
      EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, key.key->pkey) == 1 &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(checked.data()), checked.size(),
                       reinterpret_cast<const unsigned char*>(signing_input.data()),
                       signing_input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

}  // namespace basalt::oauth2
