// Record tokens: the claims of each type exactly as PocketBase serializes them, the signing key
// order, the two-step read (unverified subject, then verify with the record's key), and what
// invalidates a token: a rotated tokenKey, another secret, expiry, tampering.
#include "basalt/auth/tokens.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <boost/json/serialize.hpp>
#include <set>
#include <string>

#include "basalt/core/clock.hpp"

namespace basalt::auth {
namespace {

using namespace std::chrono_literals;

const JwtClock::time_point kNow = JwtClock::time_point(std::chrono::seconds(1'800'000'000));
constexpr std::string_view kTokenKey = "k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1";
constexpr std::string_view kSecret = "s2s2s2s2s2s2s2s2s2s2s2s2s2s2s2s2s2s2s2s2s2s2s2s2s2";

TokenClaims auth_claims(bool refreshable = true) {
  return TokenClaims{.type = TokenType::kAuth,
                     .record_id = "u1a2b3c4d5e6f7g",
                     .collection_id = "_pb_users_auth_",
                     .expires = expires_at(kNow, 432000s),
                     .refreshable = refreshable};
}

// The payload JSON text of a token, as the JS SDK decodes it.
std::string payload_text(std::string_view token) {
  std::size_t first = token.find('.');
  std::string_view segment = token.substr(first + 1, token.rfind('.') - first - 1);
  std::string out(segment.size(), '\0');
  std::size_t length = 0;
  EXPECT_EQ(sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(),
                              segment.data(), segment.size(), nullptr, &length, nullptr,
                              sodium_base64_VARIANT_URLSAFE_NO_PADDING),
            0);
  out.resize(length);
  return out;
}

std::optional<TokenClaims> read_and_verify(std::string_view token, std::string_view token_key,
                                           std::string_view secret, JwtClock::time_point now = kNow,
                                           JwtStatus* status = nullptr) {
  auto claimed = read_unverified_token(token);
  if (!claimed) return std::nullopt;
  return verify_token(*claimed, token_key, secret, now, status);
}

TEST(TokensTest, AuthTokenCarriesPocketBasesClaimsInItsOrder) {
  std::string token = issue_token(auth_claims(), kTokenKey, kSecret);
  EXPECT_EQ(payload_text(token),
            R"({"collectionId":"_pb_users_auth_","exp":1800432000,"id":"u1a2b3c4d5e6f7g",)"
            R"("refreshable":true,"type":"auth"})");
}

TEST(TokensTest, EachTypeCarriesOnlyItsOwnClaims) {
  TokenClaims claims = auth_claims();
  claims.email = "a@b.c";
  claims.new_email = "new@b.c";
  auto payload_of = [&](TokenType type) {
    claims.type = type;
    return payload_text(issue_token(claims, kTokenKey, kSecret));
  };
  EXPECT_EQ(payload_of(TokenType::kFile),
            R"({"collectionId":"_pb_users_auth_","exp":1800432000,"id":"u1a2b3c4d5e6f7g",)"
            R"("type":"file"})");
  EXPECT_EQ(payload_of(TokenType::kVerification),
            R"({"collectionId":"_pb_users_auth_","email":"a@b.c","exp":1800432000,)"
            R"("id":"u1a2b3c4d5e6f7g","type":"verification"})");
  EXPECT_EQ(payload_of(TokenType::kPasswordReset),
            R"({"collectionId":"_pb_users_auth_","email":"a@b.c","exp":1800432000,)"
            R"("id":"u1a2b3c4d5e6f7g","type":"passwordReset"})");
  EXPECT_EQ(payload_of(TokenType::kEmailChange),
            R"({"collectionId":"_pb_users_auth_","email":"a@b.c","exp":1800432000,)"
            R"("id":"u1a2b3c4d5e6f7g","newEmail":"new@b.c","type":"emailChange"})");
}

TEST(TokensTest, SigningKeyIsTheTokenKeyThenTheSecret) {
  std::string token = issue_token(auth_claims(), kTokenKey, kSecret);
  UnverifiedJwt jwt = UnverifiedJwt::parse(token);
  EXPECT_EQ(jwt.verify(std::string(kTokenKey) + std::string(kSecret), kNow), JwtStatus::kOk);
  EXPECT_EQ(jwt.verify(std::string(kSecret) + std::string(kTokenKey), kNow), JwtStatus::kSignature);
}

TEST(TokensTest, ReadsTheSubjectThenVerifiesWithTheRecordsKey) {
  std::string token = issue_token(auth_claims(), kTokenKey, kSecret);
  auto claimed = read_unverified_token(token);
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->type, TokenType::kAuth);
  EXPECT_EQ(claimed->record_id, "u1a2b3c4d5e6f7g");
  EXPECT_EQ(claimed->collection_id, "_pb_users_auth_");

  JwtStatus status = JwtStatus::kMalformed;
  auto claims = verify_token(*claimed, kTokenKey, kSecret, kNow, &status);
  EXPECT_EQ(status, JwtStatus::kOk);
  ASSERT_TRUE(claims);
  EXPECT_EQ(*claims, auth_claims());
}

TEST(TokensTest, EveryTypeRoundTrips) {
  for (TokenType type : {TokenType::kAuth, TokenType::kFile, TokenType::kVerification,
                         TokenType::kPasswordReset, TokenType::kEmailChange}) {
    TokenClaims claims = auth_claims(type == TokenType::kAuth);
    claims.type = type;
    if (type != TokenType::kAuth && type != TokenType::kFile) claims.email = "a@b.c";
    if (type == TokenType::kEmailChange) claims.new_email = "new@b.c";
    auto verified = read_and_verify(issue_token(claims, kTokenKey, kSecret), kTokenKey, kSecret);
    ASSERT_TRUE(verified) << to_string(type);
    EXPECT_EQ(*verified, claims) << to_string(type);
    EXPECT_EQ(parse_token_type(to_string(type)), type);
  }
}

TEST(TokensTest, ImpersonationTokensAreNotRefreshable) {
  auto verified =
      read_and_verify(issue_token(auth_claims(false), kTokenKey, kSecret), kTokenKey, kSecret);
  ASSERT_TRUE(verified);
  EXPECT_FALSE(verified->refreshable);
}

TEST(TokensTest, ARotatedTokenKeyInvalidatesEarlierTokens) {
  std::string token = issue_token(auth_claims(), kTokenKey, kSecret);
  std::string rotated = new_token_key();
  JwtStatus status = JwtStatus::kOk;
  EXPECT_FALSE(read_and_verify(token, rotated, kSecret, kNow, &status));
  EXPECT_EQ(status, JwtStatus::kSignature);
  EXPECT_TRUE(read_and_verify(issue_token(auth_claims(), rotated, kSecret), rotated, kSecret));
}

TEST(TokensTest, AnotherSecretInvalidatesTheToken) {
  // E.g. a verification token presented where the auth secret is used, or a new secret.
  std::string token = issue_token(auth_claims(), kTokenKey, kSecret);
  EXPECT_FALSE(read_and_verify(token, kTokenKey, "another secret"));
}

// Expiry is tested by moving a ManualClock, never by sleeping.
TEST(TokensTest, ExpiresWhenTheManualClockPassesItsExp) {
  core::ManualClock clock(kNow);
  TokenClaims claims = auth_claims();
  claims.expires = expires_at(clock.now(), 60s);
  const std::string token = issue_token(claims, kTokenKey, kSecret);
  EXPECT_TRUE(read_and_verify(token, kTokenKey, kSecret, clock.now()));
  clock.advance(59s);
  EXPECT_TRUE(read_and_verify(token, kTokenKey, kSecret, clock.now()));
  clock.advance(2s);
  JwtStatus status = JwtStatus::kOk;
  EXPECT_FALSE(read_and_verify(token, kTokenKey, kSecret, clock.now(), &status));
  EXPECT_EQ(status, JwtStatus::kExpired);
}

TEST(TokensTest, ExpiresAfterTheDuration) {
  TokenClaims claims = auth_claims();
  claims.expires = expires_at(kNow, 1800s);
  std::string token = issue_token(claims, kTokenKey, kSecret);
  EXPECT_TRUE(read_and_verify(token, kTokenKey, kSecret, kNow + 1799s));
  JwtStatus status = JwtStatus::kOk;
  EXPECT_FALSE(read_and_verify(token, kTokenKey, kSecret, kNow + 1800s, &status));
  EXPECT_EQ(status, JwtStatus::kExpired);
}

TEST(TokensTest, ExpiryIsWholeSecondsRoundedDown) {
  EXPECT_EQ(expires_at(kNow + 999ms, 10s), 1'800'000'010);
  EXPECT_THROW(expires_at(kNow, 0s), std::invalid_argument);
  EXPECT_THROW(expires_at(kNow, -5s), std::invalid_argument);
}

TEST(TokensTest, ATamperedSubjectIsReadButNeverVerified) {
  std::string token = issue_token(auth_claims(), kTokenKey, kSecret);
  std::string payload = payload_text(token);
  payload.replace(payload.find("u1a2b3c4d5e6f7g"), 15, "zzzzzzzzzzzzzzz");
  std::string segment(
      sodium_base64_ENCODED_LEN(payload.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(segment.data(), segment.size(),
                    reinterpret_cast<const unsigned char*>(payload.data()), payload.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  segment.pop_back();
  std::size_t first = token.find('.');
  std::string forged = token.substr(0, first + 1) + segment + token.substr(token.rfind('.'));

  auto claimed = read_unverified_token(forged);
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->record_id, "zzzzzzzzzzzzzzz");  // untrusted, only used to find a key
  EXPECT_FALSE(verify_token(*claimed, kTokenKey, kSecret, kNow));
}

TEST(TokensTest, ATokenWithoutASubjectOrTypeIsNotRead) {
  const std::string key = std::string(kTokenKey) + std::string(kSecret);
  const auto exp = expires_at(kNow, 60s);
  EXPECT_FALSE(read_unverified_token(
      encode_jwt({{"collectionId", "c"}, {"exp", exp}, {"type", "auth"}}, key)));
  EXPECT_FALSE(read_unverified_token(
      encode_jwt({{"collectionId", "c"}, {"exp", exp}, {"id", ""}, {"type", "auth"}}, key)));
  EXPECT_FALSE(
      read_unverified_token(encode_jwt({{"exp", exp}, {"id", "r"}, {"type", "auth"}}, key)));
  EXPECT_FALSE(read_unverified_token(
      encode_jwt({{"collectionId", "c"}, {"exp", exp}, {"id", 5}, {"type", "auth"}}, key)));
  EXPECT_FALSE(read_unverified_token(
      encode_jwt({{"collectionId", "c"}, {"exp", exp}, {"id", "r"}, {"type", "admin"}}, key)));
  EXPECT_FALSE(
      read_unverified_token(encode_jwt({{"collectionId", "c"}, {"exp", exp}, {"id", "r"}}, key)));
  EXPECT_FALSE(read_unverified_token("not a token"));
  EXPECT_TRUE(read_unverified_token(
      encode_jwt({{"collectionId", "c"}, {"exp", exp}, {"id", "r"}, {"type", "file"}}, key)));
}

TEST(TokensTest, IssuingNeedsIdsAndKeyMaterial) {
  TokenClaims claims = auth_claims();
  EXPECT_THROW(issue_token(claims, "", ""), std::invalid_argument);
  EXPECT_NO_THROW(issue_token(claims, "", kSecret));  // PocketBase only needs the sum non-empty
  claims.record_id.clear();
  EXPECT_THROW(issue_token(claims, kTokenKey, kSecret), std::invalid_argument);
}

TEST(TokensTest, NewTokenKeysAre50RandomAlphanumerics) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string key = new_token_key();
    ASSERT_EQ(key.size(), kTokenKeyLength);
    for (char c : key) {
      EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
          << key;
    }
    seen.insert(key);
  }
  EXPECT_EQ(seen.size(), 100u);
}

}  // namespace
}  // namespace basalt::auth
