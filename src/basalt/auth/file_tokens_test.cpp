// File tokens: type "file", the collection's fileToken secret and duration, and refusal of
// everything that is not a live file token of that record.
#include "basalt/auth/file_tokens.hpp"

#include <gtest/gtest.h>

namespace basalt::auth {
namespace {

using namespace std::chrono_literals;

const std::chrono::system_clock::time_point kNow{std::chrono::seconds(1'800'000'000)};

schema::Collection members() {
  schema::Collection collection;
  collection.id = "pbc_members";
  collection.name = "members";
  collection.auth.auth_token = {"auth-secret-auth-secret-auth-secret", 604800};
  collection.auth.file_token = {"file-secret-file-secret-file-secret", 180};
  return collection;
}

const boost::json::object kRecord{{"id", "m1"}, {"tokenKey", "key-of-m1"}};

TEST(FileTokens, AreFileTokensSignedWithTheFileSecretForItsDuration) {
  const schema::Collection collection = members();
  const std::string token = issue_file_token(collection, kRecord, kNow);
  const auto claimed = read_unverified_token(token);
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->type, TokenType::kFile);
  EXPECT_EQ(claimed->record_id, "m1");
  EXPECT_EQ(claimed->collection_id, "pbc_members");
  const auto claims = verify_token(*claimed, "key-of-m1", collection.auth.file_token.secret, kNow);
  ASSERT_TRUE(claims);
  EXPECT_EQ(claims->expires, 1'800'000'000 + 180);
  // Not with the auth secret, not past its 180 s, not after a new tokenKey.
  EXPECT_FALSE(verify_token(*claimed, "key-of-m1", collection.auth.auth_token.secret, kNow));
  EXPECT_FALSE(verify_token(*claimed, "key-of-m1", collection.auth.file_token.secret, kNow + 181s));
  EXPECT_FALSE(verify_token(*claimed, "new-key", collection.auth.file_token.secret, kNow));
}

TEST(FileTokens, NeedAPositiveDuration) {
  schema::Collection collection = members();
  collection.auth.file_token.duration = 0;
  EXPECT_THROW(issue_file_token(collection, kRecord, kNow), std::invalid_argument);
}

}  // namespace
}  // namespace basalt::auth
