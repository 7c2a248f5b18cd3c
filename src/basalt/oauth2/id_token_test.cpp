// id_token verification against keys made here with OpenSSL: RS256 and ES256 tokens signed by
// the test, checked against a JWKS document in the form providers publish.
#include "basalt/oauth2/id_token.hpp"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <boost/json/serialize.hpp>
#include <memory>

#include "basalt/core/api_error.hpp"
#include "basalt/oauth2/apple_client_secret.hpp"
#include "basalt/oauth2/base64url.hpp"
#include "basalt/oauth2/jwk.hpp"

namespace basalt::oauth2 {
namespace {

namespace json = boost::json;
using std::chrono::seconds;
using std::chrono::system_clock;

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string bn_param(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, name, &bn);
  std::string out(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

std::string padded(std::string bytes, std::size_t length) {
  return std::string(length - bytes.size(), '\0') + bytes;
}

json::object rsa_jwk(EVP_PKEY* key, std::string_view kid) {
  return {{"kty", "RSA"},
          {"kid", kid},
          {"use", "sig"},
          {"alg", "RS256"},
          {"n", base64url_encode(bn_param(key, OSSL_PKEY_PARAM_RSA_N))},
          {"e", base64url_encode(bn_param(key, OSSL_PKEY_PARAM_RSA_E))}};
}

json::object ec_jwk(EVP_PKEY* key, std::string_view kid) {
  return {{"kty", "EC"},
          {"kid", kid},
          {"crv", "P-256"},
          {"x", base64url_encode(padded(bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X), 32))},
          {"y", base64url_encode(padded(bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y), 32))}};
}

std::string sign(EVP_PKEY* key, std::string_view input, bool ecdsa) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key);
  std::size_t length = 0;
  EVP_DigestSign(ctx, nullptr, &length, reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  std::string signature(length, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  EVP_MD_CTX_free(ctx);
  signature.resize(length);
  if (!ecdsa) return signature;
  // DER -> JWS R || S
  const auto* p = reinterpret_cast<const unsigned char*>(signature.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(signature.size()));
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(sig);
  return raw;
}

std::string make_token(EVP_PKEY* key, std::string_view alg, std::string_view kid,
                       const json::object& claims) {
  json::object header{{"alg", alg}, {"kid", kid}, {"typ", "JWT"}};
  std::string input =
      base64url_encode(json::serialize(header)) + "." + base64url_encode(json::serialize(claims));
  return input + "." + base64url_encode(sign(key, input, alg.starts_with("ES")));
}

class IdTokenTest : public ::testing::Test {
 protected:
  // Key generation dominates the run time: once for the suite.
  static void SetUpTestSuite() {
    rsa.reset(EVP_RSA_gen(2048));
    other_rsa.reset(EVP_RSA_gen(2048));
    ec.reset(EVP_EC_gen("P-256"));
  }
  static void TearDownTestSuite() {
    rsa.reset();
    other_rsa.reset();
    ec.reset();
  }

  void SetUp() override {
    json::object doc{{"keys", json::array{rsa_jwk(rsa.get(), "rsa1"), ec_jwk(ec.get(), "ec1")}}};
    set = JwkSet::parse(json::serialize(doc)).value();
    expected.issuers = {"https://issuer.test"};
    expected.audience = "client-1";
    expected.now = system_clock::time_point(seconds(1'700'000'000));
  }

  json::object claims() const {
    return {{"iss", "https://issuer.test"}, {"sub", "user-1"},      {"aud", "client-1"},
            {"exp", 1'700'000'600},         {"iat", 1'700'000'000}, {"email", "a@b.test"}};
  }

  json::object verify(const std::string& token) const {
    UnverifiedIdToken parsed = parse_id_token(token);
    const Jwk* key = set.find(parsed.kid);
    if (!key) throw IdTokenError("no key");
    return verify_id_token(parsed, *key, expected);
  }

  static inline Pkey rsa, other_rsa, ec;
  JwkSet set = JwkSet::parse(R"({"keys":[]})").value();
  IdTokenExpectations expected;
};

TEST_F(IdTokenTest, AcceptsAnRs256TokenOfTheProvidersKey) {
  json::object out = verify(make_token(rsa.get(), "RS256", "rsa1", claims()));
  EXPECT_EQ(out.at("sub"), "user-1");
  EXPECT_EQ(out.at("email"), "a@b.test");
}

TEST_F(IdTokenTest, AcceptsAnEs256TokenOfTheProvidersKey) {
  EXPECT_EQ(verify(make_token(ec.get(), "ES256", "ec1", claims())).at("sub"), "user-1");
}

TEST_F(IdTokenTest, RefusesATokenSignedByAnotherKeyUnderTheSameKid) {
  EXPECT_THROW(verify(make_token(other_rsa.get(), "RS256", "rsa1", claims())), IdTokenError);
}

TEST_F(IdTokenTest, RefusesATamperedPayload) {
  std::string token = make_token(rsa.get(), "RS256", "rsa1", claims());
  json::object changed = claims();
  changed["sub"] = "admin";
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  token = token.substr(0, first + 1) + base64url_encode(json::serialize(changed)) +
          token.substr(second);
  EXPECT_THROW(verify(token), IdTokenError);
}

TEST_F(IdTokenTest, RefusesAnAlgorithmThatDoesNotFitTheKey) {
  // An ES256 signature presented under the RSA key's kid, and "none".
  EXPECT_THROW(verify(make_token(ec.get(), "ES256", "rsa1", claims())), IdTokenError);
  json::object header{{"alg", "none"}, {"kid", "rsa1"}};
  std::string none = base64url_encode(json::serialize(header)) + "." +
                     base64url_encode(json::serialize(claims())) + ".AAAA";
  EXPECT_THROW(verify(none), IdTokenError);
}

TEST_F(IdTokenTest, RefusesAnExpiredTokenBeyondTheLeeway) {
  json::object c = claims();
  c["exp"] = 1'700'000'000 - 61;
  EXPECT_THROW(verify(make_token(rsa.get(), "RS256", "rsa1", c)), IdTokenError);
  c["exp"] = 1'700'000'000 - 30;  // within the 60 s leeway
  EXPECT_NO_THROW(verify(make_token(rsa.get(), "RS256", "rsa1", c)));
  c.erase("exp");
  EXPECT_THROW(verify(make_token(rsa.get(), "RS256", "rsa1", c)), IdTokenError);
}

TEST_F(IdTokenTest, RefusesATokenIssuedInTheFuture) {
  json::object c = claims();
  c["iat"] = 1'700'000'000 + 120;
  EXPECT_THROW(verify(make_token(rsa.get(), "RS256", "rsa1", c)), IdTokenError);
}

TEST_F(IdTokenTest, RefusesAnotherAudienceAndAcceptsAnAudienceList) {
  json::object c = claims();
  c["aud"] = "client-2";
  EXPECT_THROW(verify(make_token(rsa.get(), "RS256", "rsa1", c)), IdTokenError);
  c["aud"] = json::array{"client-2", "client-1"};
  c["azp"] = "client-1";
  EXPECT_NO_THROW(verify(make_token(rsa.get(), "RS256", "rsa1", c)));
  c["azp"] = "client-2";
  EXPECT_THROW(verify(make_token(rsa.get(), "RS256", "rsa1", c)), IdTokenError);
}

TEST_F(IdTokenTest, RefusesAnotherIssuer) {
  json::object c = claims();
  c["iss"] = "https://issuer.test/other";
  EXPECT_THROW(verify(make_token(rsa.get(), "RS256", "rsa1", c)), IdTokenError);
}

TEST_F(IdTokenTest, ChecksTheNonceWhenTheTokenCarriesOne) {
  expected.nonce = "n-1";
  json::object c = claims();
  c["nonce"] = "n-2";
  EXPECT_THROW(verify(make_token(rsa.get(), "RS256", "rsa1", c)), IdTokenError);
  c["nonce"] = "n-1";
  EXPECT_NO_THROW(verify(make_token(rsa.get(), "RS256", "rsa1", c)));
}

TEST_F(IdTokenTest, RefusesMalformedAndOversizedTokens) {
  EXPECT_THROW(parse_id_token(""), IdTokenError);
  EXPECT_THROW(parse_id_token("a.b"), IdTokenError);
  EXPECT_THROW(parse_id_token("a.b.c.d"), IdTokenError);
  EXPECT_THROW(parse_id_token("!!.e30.AA"), IdTokenError);
  EXPECT_THROW(parse_id_token(std::string(kMaxIdTokenBytes + 1, 'a')), IdTokenError);
}

std::string private_key_pem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(length));
  BIO_free(bio);
  return pem;
}

TEST_F(IdTokenTest, AppleClientSecretIsAnEs256JwtOfTheGivenKey) {
  AppleSecretRequest request{"com.example.web", "TEAM123456", "KEY1234567",
                             private_key_pem(ec.get()), 3600};
  const std::string secret = apple_client_secret(request, expected.now);
  UnverifiedIdToken token = parse_id_token(secret);
  EXPECT_EQ(token.alg, "ES256");
  EXPECT_EQ(token.kid, "KEY1234567");
  json::object doc{{"keys", json::array{ec_jwk(ec.get(), "KEY1234567")}}};
  auto keys = JwkSet::parse(json::serialize(doc)).value();
  EXPECT_TRUE(verify_jws(*keys.find("KEY1234567"), "ES256", token.signing_input, token.signature));
  EXPECT_EQ(token.claims.at("iss"), "TEAM123456");
  EXPECT_EQ(token.claims.at("sub"), "com.example.web");
  EXPECT_EQ(token.claims.at("aud").at(0), "https://appleid.apple.com");
  EXPECT_EQ(token.claims.at("exp").to_number<std::int64_t>(), 1'700'000'000 + 3600);

  AppleSecretRequest bad = request;
  bad.team_id = "short";
  bad.duration = kMaxAppleSecretSeconds + 1;
  try {
    apple_client_secret(bad, expected.now);
    ADD_FAILURE() << "accepted bad input";
  } catch (const core::ApiError& error) {
    EXPECT_EQ(error.data().at("teamId").at("code"), "validation_length_invalid");
    EXPECT_TRUE(error.data().contains("duration"));
  }
  AppleSecretRequest rsa_key = request;
  rsa_key.private_key = private_key_pem(rsa.get());
  EXPECT_THROW(apple_client_secret(rsa_key, expected.now), core::ApiError);
}

TEST(JwkSetTest, KeepsSignatureKeysAndSkipsTheRest) {
  Pkey small(EVP_RSA_gen(1024));
  Pkey good(EVP_RSA_gen(2048));
  json::object enc = rsa_jwk(good.get(), "enc1");
  enc["use"] = "enc";
  json::object doc{{"keys", json::array{rsa_jwk(small.get(), "weak"),
                                        enc,
                                        rsa_jwk(good.get(), "sig1"),
                                        {{"kty", "oct"}, {"kid", "hmac"}, {"k", "AAAA"}}}}};
  auto set = JwkSet::parse(json::serialize(doc));
  ASSERT_TRUE(set);
  EXPECT_EQ(set->size(), 1u);
  EXPECT_NE(set->find("sig1"), nullptr);
  EXPECT_NE(set->find(""), nullptr);  // the only key
  EXPECT_EQ(set->find("weak"), nullptr);
  EXPECT_FALSE(JwkSet::parse("[]"));
  EXPECT_FALSE(JwkSet::parse("{\"keys\":1}"));
}

}  // namespace
}  // namespace basalt::oauth2
