// The typed tokens of the mail flows: each type verifies only as itself, only for its record
// and collection, only with that collection's secret for the type, and only until it expires.
#include "basalt/accounts/flow_tokens.hpp"

#include <gtest/gtest.h>

#include "basalt/schema/collection_defaults.hpp"
#include "basalt/schema/field.hpp"

namespace basalt::accounts {
namespace {

using namespace std::chrono_literals;
using auth::TokenType;

const auto kIssued = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));

schema::Collection users_collection(std::string id) {
  schema::Collection users = schema::new_collection(schema::CollectionType::kAuth, "users", id);
  users.auth.verification_token = {"verification-secret-verification-secret-1234567890", 600};
  users.auth.password_reset_token = {"reset-secret-reset-secret-reset-secret-1234567890", 1800};
  users.auth.email_change_token = {"change-secret-change-secret-change-secret-12345678", 900};
  return users;
}

boost::json::object flow_record() {
  return {{"id", "u1a2b3c4d5e6f7g"},
          {"email", "ann@example.com"},
          {"tokenKey", "k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1"}};
}

std::optional<auth::TokenClaims> verify_text(const std::string& token,
                                             const schema::Collection& collection,
                                             const boost::json::object& record, TokenType type,
                                             std::chrono::system_clock::time_point at) {
  auto unverified = auth::read_unverified_token(token);
  if (!unverified) return std::nullopt;
  return verify_flow_token(*unverified, collection, record, type, at);
}

TEST(FlowTokens, EachTypeCarriesItsClaimsAndVerifiesAsItself) {
  const auto users = users_collection("pbc_users_1");
  const auto record = flow_record();
  for (TokenType type :
       {TokenType::kVerification, TokenType::kPasswordReset, TokenType::kEmailChange}) {
    const std::string token = issue_flow_token(users, record, type, kIssued, "new@example.com");
    const auto claims = verify_text(token, users, record, type, kIssued + 1s);
    ASSERT_TRUE(claims) << auth::to_string(type);
    EXPECT_EQ(claims->record_id, "u1a2b3c4d5e6f7g");
    EXPECT_EQ(claims->collection_id, "pbc_users_1");
    EXPECT_EQ(claims->email, "ann@example.com");
    EXPECT_EQ(claims->new_email, type == TokenType::kEmailChange ? "new@example.com" : "");
    const auto duration = std::chrono::seconds(flow_token_config(users, type).duration);
    EXPECT_EQ(claims->expires, std::chrono::duration_cast<std::chrono::seconds>(
                                   (kIssued + duration).time_since_epoch())
                                   .count());
    for (TokenType other :
         {TokenType::kVerification, TokenType::kPasswordReset, TokenType::kEmailChange}) {
      if (other != type) {
        EXPECT_FALSE(verify_text(token, users, record, other, kIssued));
      }
    }
  }
}

TEST(FlowTokens, ExpiredTamperedOrRetiredTokensAreRefused) {
  const auto users = users_collection("pbc_users_1");
  const auto record = flow_record();
  const std::string token = issue_flow_token(users, record, TokenType::kPasswordReset, kIssued);
  EXPECT_TRUE(verify_text(token, users, record, TokenType::kPasswordReset, kIssued + 1799s));
  EXPECT_FALSE(verify_text(token, users, record, TokenType::kPasswordReset, kIssued + 1800s));

  std::string tampered = token;
  tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verify_text(tampered, users, record, TokenType::kPasswordReset, kIssued));

  auto rotated = record;  // a new password or email gives the record a new tokenKey
  rotated["tokenKey"] = "k2k2k2k2k2k2k2k2k2k2k2k2k2k2k2k2k2k2k2k2k2k2k2k2k2";
  EXPECT_FALSE(verify_text(token, users, rotated, TokenType::kPasswordReset, kIssued));

  auto resecret = users;
  resecret.auth.password_reset_token.secret = "another-secret-another-secret-another-secret-123";
  EXPECT_FALSE(verify_text(token, resecret, record, TokenType::kPasswordReset, kIssued));
}

TEST(FlowTokens, ATokenOfAnotherCollectionOrRecordIsRefused) {
  const auto users = users_collection("pbc_users_1");
  auto twin = users_collection("pbc_users_2");  // same secrets, another collection
  const auto record = flow_record();
  const std::string token = issue_flow_token(users, record, TokenType::kVerification, kIssued);
  EXPECT_FALSE(verify_text(token, twin, record, TokenType::kVerification, kIssued));
  auto other = record;
  other["id"] = "zzzzzzzzzzzzzzz";
  EXPECT_FALSE(verify_text(token, users, other, TokenType::kVerification, kIssued));
}

TEST(FlowTokens, AuthAndFileTypesAreNotFlowTokens) {
  const auto users = users_collection("pbc_users_1");
  EXPECT_THROW(flow_token_config(users, TokenType::kAuth), std::invalid_argument);
  EXPECT_THROW(flow_token_config(users, TokenType::kFile), std::invalid_argument);
}

}  // namespace
}  // namespace basalt::accounts
