// HS256 JWTs: a published vector, round trips, and every way a token is refused — tampering,
// other algorithms, non-canonical base64url, expiry, size — each with its reason.
#include "basalt/auth/jwt.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>

namespace basalt::auth {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr std::string_view kKey =
    "tokenKeyOfTheRecord"
    "secretOfTheCollection";
constexpr std::int64_t kExp = 1'900'000'000;
const JwtClock::time_point kBeforeExp = JwtClock::time_point(std::chrono::seconds(kExp)) - 1s;

// jwt.io's example: header {"alg":"HS256","typ":"JWT"}, this payload, key "your-256-bit-secret".
constexpr std::string_view kJwtIoToken =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

std::string b64(std::string_view data) {
  std::string out(sodium_base64_ENCODED_LEN(data.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()),
                    data.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.pop_back();
  return out;
}

std::string replace_segment(std::string_view token, int index, std::string_view segment) {
  std::size_t first = token.find('.');
  std::size_t last = token.rfind('.');
  std::string parts[3] = {std::string(token.substr(0, first)),
                          std::string(token.substr(first + 1, last - first - 1)),
                          std::string(token.substr(last + 1))};
  parts[index] = segment;
  return parts[0] + "." + parts[1] + "." + parts[2];
}

JwtStatus verify(std::string_view token, std::string_view key = kKey,
                 JwtClock::time_point now = kBeforeExp) {
  return UnverifiedJwt::parse(token).verify(key, now);
}

JwtStatus parse_status(std::string_view token) {
  return UnverifiedJwt::parse(token).status();
}

std::string good_token() {
  return encode_jwt(json::object{{"exp", kExp}, {"id", "abc"}}, kKey);
}

TEST(JwtTest, EncodesThePublishedJwtIoExample) {
  json::object claims{{"sub", "1234567890"}, {"name", "John Doe"}, {"iat", 1516239022}};
  EXPECT_EQ(encode_jwt(claims, "your-256-bit-secret"), kJwtIoToken);
}

TEST(JwtTest, AcceptsThePublishedExampleSignatureButRequiresExp) {
  UnverifiedJwt jwt = UnverifiedJwt::parse(kJwtIoToken);
  ASSERT_EQ(jwt.status(), JwtStatus::kOk);
  EXPECT_EQ(jwt.unverified_claims().at("name").as_string(), "John Doe");
  EXPECT_EQ(jwt.verify("your-256-bit-secret", kBeforeExp), JwtStatus::kMissingExpiry);
  EXPECT_EQ(jwt.verify("my-256-bit-secret", kBeforeExp), JwtStatus::kSignature);
}

TEST(JwtTest, RoundTripsClaimsInTheirOrder) {
  std::string token = good_token();
  EXPECT_TRUE(token.starts_with("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."));
  UnverifiedJwt jwt = UnverifiedJwt::parse(token);
  ASSERT_EQ(jwt.status(), JwtStatus::kOk);
  EXPECT_EQ(json::serialize(jwt.unverified_claims()), R"({"exp":1900000000,"id":"abc"})");
  EXPECT_EQ(jwt.verify(kKey, kBeforeExp), JwtStatus::kOk);
}

TEST(JwtTest, AWrongOrEmptyKeyFailsTheSignature) {
  EXPECT_EQ(verify(good_token(), "another key"), JwtStatus::kSignature);
  EXPECT_EQ(verify(good_token(), ""), JwtStatus::kSignature);
  EXPECT_THROW(encode_jwt(json::object{{"exp", kExp}}, ""), std::invalid_argument);
}

TEST(JwtTest, TamperedPayloadOrSignatureFailsTheSignature) {
  std::string token = good_token();
  std::string forged_payload = b64(R"({"exp":1900000000,"id":"admin"})");
  EXPECT_EQ(verify(replace_segment(token, 1, forged_payload)), JwtStatus::kSignature);

  std::string other_signature = encode_jwt(json::object{{"exp", kExp}, {"id", "abd"}}, kKey);
  EXPECT_EQ(
      verify(replace_segment(token, 2, other_signature.substr(other_signature.rfind('.') + 1))),
      JwtStatus::kSignature);

  // Re-signed by someone without the key.
  EXPECT_EQ(verify(encode_jwt(json::object{{"exp", kExp}, {"id", "admin"}}, "guess")),
            JwtStatus::kSignature);
}

TEST(JwtTest, OnlyHs256IsAccepted) {
  std::string token = good_token();
  for (std::string_view header :
       {R"({"alg":"none","typ":"JWT"})", R"({"alg":"none"})", R"({"alg":"HS512","typ":"JWT"})",
        R"({"alg":"hs256","typ":"JWT"})", R"({"alg":"RS256"})", R"({"typ":"JWT"})",
        R"({"alg":null})", R"({"alg":["HS256"]})"}) {
    EXPECT_EQ(verify(replace_segment(token, 0, b64(header))), JwtStatus::kAlgorithm) << header;
  }
  // The classic "alg: none" forgery: no signature at all.
  std::string none =
      b64(R"({"alg":"none","typ":"JWT"})") + "." + b64(R"({"exp":1900000000,"id":"admin"})") + ".";
  EXPECT_EQ(verify(none), JwtStatus::kAlgorithm);
}

TEST(JwtTest, TheHeaderMayOnlyAddTypJwt) {
  std::string token = good_token();
  // Same alg, so a valid signature over the new header would pass; these must not get that far.
  EXPECT_EQ(parse_status(replace_segment(token, 0, b64(R"({"alg":"HS256","kid":"1"})"))),
            JwtStatus::kMalformed);
  EXPECT_EQ(parse_status(replace_segment(token, 0, b64(R"({"alg":"HS256","typ":"JWS"})"))),
            JwtStatus::kMalformed);
  EXPECT_EQ(parse_status(replace_segment(token, 0, b64(R"({"alg":"HS256","crit":["x"]})"))),
            JwtStatus::kMalformed);

  // {"alg":"HS256"} alone, or typ first, is fine when signed with the key.
  for (std::string_view header : {R"({"alg":"HS256"})", R"({"typ":"JWT","alg":"HS256"})"}) {
    std::string input = b64(header) + "." + b64(R"({"exp":1900000000})");
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(kKey.data()),
                                kKey.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(input.data()),
                                  input.size());
    crypto_auth_hmacsha256_final(&state, mac);
    std::string signed_token =
        input + "." + b64(std::string_view(reinterpret_cast<const char*>(mac), sizeof mac));
    EXPECT_EQ(verify(signed_token), JwtStatus::kOk) << header;
  }
}

TEST(JwtTest, SegmentsMustBeCanonicalUnpaddedBase64Url) {
  std::string token = good_token();
  std::string signature = token.substr(token.rfind('.') + 1);
  ASSERT_EQ(signature.size(), 43u);

  EXPECT_EQ(parse_status(token + "="), JwtStatus::kMalformed);
  EXPECT_EQ(parse_status(replace_segment(token, 0, b64(R"({"alg":"HS256","typ":"JWT"})") + "=")),
            JwtStatus::kMalformed);

  // The standard alphabet's '+' and '/' are not base64url.
  std::string standard = token;
  for (char& c : standard) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  if (standard != token) {
    EXPECT_EQ(parse_status(standard), JwtStatus::kMalformed);
  }
  EXPECT_EQ(parse_status(replace_segment(token, 2, signature.substr(0, 42) + "+")),
            JwtStatus::kMalformed);

  // 43 characters carry 258 bits for 256: the last character's two low bits must be zero, or
  // one signature would have four spellings.
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::size_t last = alphabet.find(signature.back());
  ASSERT_EQ(last % 4, 0u);
  std::string noncanonical = signature.substr(0, 42) + alphabet[last + 1];
  EXPECT_EQ(parse_status(replace_segment(token, 2, noncanonical)), JwtStatus::kMalformed);

  // Whitespace, a short signature, a signature one byte long too many.
  EXPECT_EQ(parse_status(" " + token), JwtStatus::kMalformed);
  EXPECT_EQ(parse_status(replace_segment(token, 2, signature.substr(0, 40))),
            JwtStatus::kMalformed);
  EXPECT_EQ(parse_status(replace_segment(token, 2, signature + "AA")), JwtStatus::kMalformed);
}

TEST(JwtTest, StructureMustBeThreeSegmentsOfJsonObjects) {
  std::string token = good_token();
  EXPECT_EQ(parse_status(""), JwtStatus::kMalformed);
  EXPECT_EQ(parse_status("abc"), JwtStatus::kMalformed);
  EXPECT_EQ(parse_status(token.substr(0, token.rfind('.'))), JwtStatus::kMalformed);
  EXPECT_EQ(parse_status(token + ".x"), JwtStatus::kMalformed);
  EXPECT_EQ(parse_status(".."), JwtStatus::kMalformed);
  EXPECT_EQ(parse_status(replace_segment(token, 1, b64("[1,2]"))), JwtStatus::kMalformed);
  EXPECT_EQ(parse_status(replace_segment(token, 1, b64("{\"exp\":"))), JwtStatus::kMalformed);
  EXPECT_EQ(parse_status(replace_segment(token, 1, b64("\"text\""))), JwtStatus::kMalformed);
  EXPECT_EQ(parse_status(replace_segment(token, 0, b64("[]"))), JwtStatus::kMalformed);
  // A malformed token keeps no claims to read by mistake.
  EXPECT_TRUE(UnverifiedJwt::parse(replace_segment(token, 2, "x")).unverified_claims().empty());
}

TEST(JwtTest, ExpIsRequiredAndEnforcedWithoutLeeway) {
  const auto at_exp = JwtClock::time_point(std::chrono::seconds(kExp));
  std::string token = good_token();
  EXPECT_EQ(verify(token, kKey, at_exp - 1ms), JwtStatus::kOk);
  EXPECT_EQ(verify(token, kKey, at_exp), JwtStatus::kExpired);
  EXPECT_EQ(verify(token, kKey, at_exp + 24h), JwtStatus::kExpired);

  EXPECT_EQ(verify(encode_jwt(json::object{{"id", "abc"}}, kKey)), JwtStatus::kMissingExpiry);
  EXPECT_EQ(verify(encode_jwt(json::object{{"exp", "1900000000"}}, kKey)),
            JwtStatus::kMissingExpiry);
  EXPECT_EQ(verify(encode_jwt(json::object{{"exp", nullptr}}, kKey)), JwtStatus::kMissingExpiry);

  // A fractional exp (golang-jwt accepts one) counts to the sub-second.
  std::string fractional = encode_jwt(json::object{{"exp", 1900000000.5}}, kKey);
  EXPECT_EQ(verify(fractional, kKey, at_exp + 499ms), JwtStatus::kOk);
  EXPECT_EQ(verify(fractional, kKey, at_exp + 500ms), JwtStatus::kExpired);
  EXPECT_EQ(verify(encode_jwt(json::object{{"exp", 18446744073709551615ull}}, kKey)),
            JwtStatus::kOk);
}

TEST(JwtTest, NbfWhenPresentMustHavePassed) {
  std::string later = encode_jwt(json::object{{"exp", kExp}, {"nbf", kExp - 10}}, kKey);
  EXPECT_EQ(verify(later, kKey, JwtClock::time_point(std::chrono::seconds(kExp - 11))),
            JwtStatus::kNotYetValid);
  EXPECT_EQ(verify(later, kKey, JwtClock::time_point(std::chrono::seconds(kExp - 10))),
            JwtStatus::kOk);
  EXPECT_EQ(verify(encode_jwt(json::object{{"exp", kExp}, {"nbf", "soon"}}, kKey)),
            JwtStatus::kMalformed);
}

TEST(JwtTest, SignatureIsCheckedBeforeExpiry) {
  // An expired token with a bad signature reports the signature: claims of an unauthenticated
  // token are not evaluated.
  std::string token = encode_jwt(json::object{{"exp", 1}}, kKey);
  EXPECT_EQ(verify(token, "wrong"), JwtStatus::kSignature);
  EXPECT_EQ(verify(token), JwtStatus::kExpired);
}

TEST(JwtTest, TokensOverTheSizeLimitAreRefusedUnread) {
  std::string big(kMaxJwtBytes, 'a');
  std::string token = encode_jwt(json::object{{"exp", kExp}, {"pad", big}}, kKey);
  EXPECT_EQ(parse_status(token), JwtStatus::kTooLarge);
  EXPECT_EQ(verify(token), JwtStatus::kTooLarge);

  std::string fits = encode_jwt(json::object{{"exp", kExp}, {"pad", std::string(5000, 'a')}}, kKey);
  ASSERT_LE(fits.size(), kMaxJwtBytes);
  EXPECT_EQ(verify(fits), JwtStatus::kOk);
}

TEST(JwtTest, EveryStatusHasAName) {
  for (JwtStatus status : {JwtStatus::kOk, JwtStatus::kTooLarge, JwtStatus::kMalformed,
                           JwtStatus::kAlgorithm, JwtStatus::kSignature, JwtStatus::kMissingExpiry,
                           JwtStatus::kExpired, JwtStatus::kNotYetValid}) {
    EXPECT_NE(to_string(status), "unknown");
  }
}

}  // namespace
}  // namespace basalt::auth
