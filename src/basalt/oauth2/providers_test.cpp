// Provider user mappings from fixed JSON (the shapes each provider's API documents), the
// authorization URL and PKCE helpers.
#include "basalt/oauth2/providers.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "basalt/core/clock.hpp"
#include "basalt/oauth2/apple_names.hpp"
#include "basalt/oauth2/base64url.hpp"
#include "basalt/oauth2/outbound_http.hpp"
#include "basalt/schema/oauth2_provider_names.hpp"

namespace basalt::oauth2 {
namespace {

namespace json = boost::json;

json::object raw_user(std::string_view text) {
  return json::parse(text).as_object();
}

TEST(ProviderMappingTest, OidcTakesTheEmailOnlyWhenVerified) {
  AuthUser u = map_user(ProviderKind::kOidc, raw_user(R"({"sub":"s1","name":"Ann",
      "preferred_username":"ann","picture":"https://x/p.png","email":"a@b.c",
      "email_verified":"true"})"));
  EXPECT_EQ(u.id, "s1");
  EXPECT_EQ(u.name, "Ann");
  EXPECT_EQ(u.username, "ann");
  EXPECT_EQ(u.avatar_url, "https://x/p.png");
  EXPECT_EQ(u.email, "a@b.c");
  EXPECT_EQ(u.raw.at("preferred_username"), "ann");
  AuthUser unverified = map_user(
      ProviderKind::kOidc, raw_user(R"({"sub":"s1","email":"a@b.c","email_verified":false})"));
  EXPECT_EQ(unverified.email, "");
}

TEST(ProviderMappingTest, Google) {
  AuthUser u = map_user(ProviderKind::kGoogle, raw_user(R"({"sub":"1099","name":"G User",
      "picture":"https://lh3/p","email":"g@gmail.com","email_verified":true})"));
  EXPECT_EQ(u.id, "1099");
  EXPECT_EQ(u.email, "g@gmail.com");
  EXPECT_EQ(u.avatar_url, "https://lh3/p");
  EXPECT_EQ(u.username, "");
}

TEST(ProviderMappingTest, GithubNumericIdAndLogin) {
  AuthUser u = map_user(ProviderKind::kGithub, raw_user(R"({"id":583231,"login":"octocat",
      "name":"The Octocat","email":null,"avatar_url":"https://avatars/u/583231"})"));
  EXPECT_EQ(u.id, "583231");
  EXPECT_EQ(u.username, "octocat");
  EXPECT_EQ(u.name, "The Octocat");
  EXPECT_EQ(u.email, "");
  EXPECT_EQ(u.avatar_url, "https://avatars/u/583231");
}

TEST(ProviderMappingTest, Microsoft) {
  AuthUser u = map_user(ProviderKind::kMicrosoft,
                        raw_user(R"({"id":"87d3","displayName":"M S","mail":"m@contoso.com"})"));
  EXPECT_EQ(u.id, "87d3");
  EXPECT_EQ(u.name, "M S");
  EXPECT_EQ(u.email, "m@contoso.com");
}

TEST(ProviderMappingTest, AppleNameFromTheUserObject) {
  AuthUser u = map_user(ProviderKind::kApple, raw_user(R"({"sub":"001.abc","email":"x@icloud.com",
      "email_verified":"true","user":{"name":{"firstName":"Tim","lastName":"Apple"}}})"));
  EXPECT_EQ(u.id, "001.abc");
  EXPECT_EQ(u.email, "x@icloud.com");
  EXPECT_EQ(u.name, "Tim Apple");
}

TEST(ProviderMappingTest, Gitlab) {
  AuthUser u = map_user(ProviderKind::kGitlab, raw_user(R"({"id":42,"username":"jdoe",
      "name":"J Doe","email":"j@doe.io","avatar_url":"https://gitlab/a.png"})"));
  EXPECT_EQ(u.id, "42");
  EXPECT_EQ(u.username, "jdoe");
  EXPECT_EQ(u.email, "j@doe.io");
}

TEST(ProviderMappingTest, DiscordAvatarAndName) {
  AuthUser u = map_user(ProviderKind::kDiscord, raw_user(R"({"id":"8012","username":"nelly",
      "discriminator":"1337","avatar":"8342729096ea","email":"n@d.com","verified":true})"));
  EXPECT_EQ(u.id, "8012");
  EXPECT_EQ(u.name, "nelly#1337");
  EXPECT_EQ(u.username, "nelly");
  EXPECT_EQ(u.avatar_url, "https://cdn.discordapp.com/avatars/8012/8342729096ea.png");
  EXPECT_EQ(u.email, "n@d.com");
}

TEST(ProviderMappingTest, NoUserIdIsAnError) {
  EXPECT_THROW(map_user(ProviderKind::kOidc, raw_user(R"({"email":"a@b.c"})")), UserMappingError);
  EXPECT_THROW(map_user(ProviderKind::kGithub, raw_user(R"({"id":null})")), UserMappingError);
}

TEST(ProviderRegistryTest, KnowsPocketBasesNames) {
  for (const char* name :
       {"oidc", "oidc2", "oidc3", "google", "github", "microsoft", "apple", "gitlab", "discord"}) {
    EXPECT_TRUE(is_known_provider(name)) << name;
  }
  EXPECT_FALSE(is_known_provider("oidc4"));
  EXPECT_FALSE(is_known_provider("Google"));
}

TEST(ProviderRegistryTest, CollectionValidationKnowsTheSameNames) {
  for (std::string_view name : schema::kOAuth2ProviderNames) {
    EXPECT_TRUE(is_known_provider(name)) << name;
  }
  for (std::string_view name : {"oidc", "oidc2", "oidc3", "google", "github", "microsoft", "apple",
                                "gitlab", "discord", "facebook", "oidc4"}) {
    EXPECT_EQ(schema::is_oauth2_provider_name(name), is_known_provider(name)) << name;
  }
}

TEST(ProviderRegistryTest, OidcNeedsItsEndpoints) {
  schema::OAuth2ProviderConfig config;
  config.name = "oidc";
  config.client_id = "c";
  EXPECT_FALSE(resolve_provider(config));
  config.auth_url = "https://id.example/auth";
  config.token_url = "https://id.example/token";
  auto p = resolve_provider(config);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->pkce);
  EXPECT_EQ(p->display_name, "OIDC");
  config.pkce = false;
  config.display_name = "Company SSO";
  EXPECT_FALSE(resolve_provider(config)->pkce);
  EXPECT_EQ(resolve_provider(config)->display_name, "Company SSO");
}

TEST(ProviderRegistryTest, AuthUrlAsPocketBaseAnswersIt) {
  schema::OAuth2ProviderConfig config;
  config.name = "google";
  config.client_id = "id 1";
  auto p = resolve_provider(config).value();
  EXPECT_EQ(build_auth_url(p, "st", "ch", ""),
            "https://accounts.google.com/o/oauth2/v2/auth?client_id=id%201&code_challenge=ch"
            "&code_challenge_method=S256&response_type=code&scope=https%3A%2F%2Fwww.googleapis."
            "com%2Fauth%2Fuserinfo.profile%20https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fuserinfo."
            "email&state=st&redirect_uri=");
}

TEST(PkceTest, S256ChallengeAndNonce) {
  // Computed independently (Python hashlib) for this verifier.
  EXPECT_EQ(s256_challenge("dBjftJeZ4CVP-mJ92K9RVjKz7hUi6YS0H9kIPHQLEiE"),
            "d9bSQWk8fiWbKam3GYSa6KAl7dom1Nte54Bp20Vfztc");
  EXPECT_NE(nonce_for_verifier("v1"), nonce_for_verifier("v2"));
  EXPECT_EQ(nonce_for_verifier("v1"), nonce_for_verifier("v1"));
  EXPECT_EQ(base64url_decode(base64url_encode("\xff\x00\x10 x")).value(), "\xff\x00\x10 x");
  EXPECT_FALSE(base64url_decode("a+b/"));
}

TEST(OutboundPolicyTest, HttpsOnlyUnlessLoopbackIsAllowed) {
  OutboundPolicy strict;
  OutboundPolicy tests{.allow_loopback_http = true};
  EXPECT_TRUE(url_allowed("https://id.example/token", strict));
  EXPECT_FALSE(url_allowed("http://id.example/token", strict));
  EXPECT_FALSE(url_allowed("http://127.0.0.1:8080/token", strict));
  EXPECT_TRUE(url_allowed("http://127.0.0.1:8080/token", tests));
  EXPECT_TRUE(url_allowed("http://localhost/x", tests));
  EXPECT_TRUE(url_allowed("http://[::1]:9/x", tests));
  EXPECT_FALSE(url_allowed("http://127.0.0.1.evil.example/x", tests));
  EXPECT_FALSE(url_allowed("http://user@127.0.0.1/x", tests));
  EXPECT_FALSE(url_allowed("file:///etc/passwd", tests));
  EXPECT_FALSE(url_allowed("ftp://127.0.0.1/x", tests));
  EXPECT_FALSE(url_allowed("not a url", tests));
}

TEST(AppleNamesTest, ReadsApplesUserField) {
  EXPECT_EQ(apple_user_name(R"({"name":{"firstName":"Tim","lastName":"Apple"},"email":"x"})"),
            "Tim Apple");
  EXPECT_EQ(apple_user_name(R"({"name":{"firstName":"Tim"}})"), "Tim");
  EXPECT_EQ(apple_user_name(R"({"name":{}})"), "");
  EXPECT_EQ(apple_user_name("not json"), "");
  const std::string long_name = apple_user_name(R"({"name":{"firstName":")" +
                                                std::string(200, 'a') + R"(","lastName":"b"}})");
  EXPECT_EQ(long_name.size(), kMaxAppleNameBytes);
}

TEST(AppleNamesTest, RemembersANameOnceForAMinute) {
  core::ManualClock clock;
  AppleNames names(clock);
  const std::string user = R"({"name":{"firstName":"Tim","lastName":"Apple"}})";
  names.remember("code-1", user);
  EXPECT_EQ(names.take("code-2"), "");
  EXPECT_EQ(names.take("code-1"), "Tim Apple");
  EXPECT_EQ(names.take("code-1"), "");  // taken once
  names.remember("code-3", user);
  clock.advance(kAppleNameTtl);
  EXPECT_EQ(names.take("code-3"), "");  // expired
  names.remember(std::string(kMaxAppleCodeLength + 1, 'c'), user);
  EXPECT_EQ(names.take(std::string(kMaxAppleCodeLength + 1, 'c')), "");
  for (std::size_t i = 0; i <= kMaxAppleNames; ++i) names.remember("c" + std::to_string(i), user);
  EXPECT_EQ(names.take("c0"), "");  // the oldest went when the bound was reached
  EXPECT_EQ(names.take("c1"), "Tim Apple");
}

}  // namespace
}  // namespace basalt::oauth2
