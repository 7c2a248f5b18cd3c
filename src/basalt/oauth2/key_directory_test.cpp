// KeyDirectory and the outbound HTTP rules against a scripted loopback server
// (files/testing/scripted_http_server.hpp): key sets cached and refetched once for an unknown
// kid, the discovery walk up authURL's path, size caps, the sign-in deadline and the https rule.
#include "basalt/oauth2/key_directory.hpp"

#include <gtest/gtest.h>

#include "basalt/files/testing/scripted_http_server.hpp"
#include "basalt/oauth2/outbound_http.hpp"

namespace basalt::oauth2 {
namespace {

using files::test_support::ScriptedHttpServer;
using files::test_support::ScriptedResponse;

const OutboundPolicy kLoopbackPolicy{.allow_loopback_http = true};

// A JWKS document with one 2048-bit RSA key per kid (the same public numbers: only the kids
// matter here).
std::string jwks_with(std::initializer_list<std::string_view> kids) {
  static const std::string n =
      "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROS"
      "BigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4"
      "H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZL"
      "uF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw";
  std::string out = R"({"keys":[)";
  bool first = true;
  for (auto kid : kids) {
    if (!first) out += ',';
    first = false;
    out += R"({"kty":"RSA","use":"sig","alg":"RS256","kid":")" + std::string(kid) +
           R"(","e":"AQAB","n":")" + n + R"("})";
  }
  return out + "]}";
}

ScriptedResponse json_answer(std::string body) {
  return ScriptedResponse{200, {"Content-Type: application/json"}, std::move(body)};
}

TEST(KeyDirectoryTest, CachesTheSetAndRefetchesOnceForAnUnknownKid) {
  ScriptedHttpServer server({json_answer(jwks_with({"k1"}))});
  KeyDirectory keys(kLoopbackPolicy);
  const std::string url = server.endpoint() + "/jwks";
  EXPECT_EQ(keys.key(url, "k1").kid, "k1");
  EXPECT_EQ(keys.key(url, "k1").kid, "k1");
  EXPECT_EQ(server.requests().size(), 1u);  // the second came from the cache
  // An unknown kid right after the fetch: no refetch within kRefetchInterval (a forged kid
  // cannot make the server hammer the provider).
  EXPECT_THROW(keys.key(url, "k2"), DiscoveryError);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(KeyDirectoryTest, AnUnknownKidFetchesTheSetWhenNotCached) {
  ScriptedHttpServer server({json_answer(jwks_with({"k1", "k2"})), json_answer("not json")});
  KeyDirectory keys(kLoopbackPolicy);
  const std::string url = server.endpoint() + "/jwks";
  EXPECT_EQ(keys.key(url, "k2").kid, "k2");
  const std::string other = server.endpoint() + "/other-jwks";
  EXPECT_THROW(keys.key(other, "k1"), DiscoveryError);  // not a key set
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(KeyDirectoryTest, DiscoveryWalksUpTheAuthorizationPath) {
  ScriptedHttpServer provider({
      ScriptedResponse{404, {}, "no"},
      json_answer(
          R"({"issuer":"https://wrong","jwks_uri":"x","authorization_endpoint":"elsewhere"})"),
      json_answer("{}"),  // unused
  });
  KeyDirectory keys(kLoopbackPolicy);
  const std::string auth_url = provider.endpoint() + "/realms/a/auth?x=1";
  EXPECT_THROW(keys.discover(auth_url, ""), DiscoveryError);
  auto requests = provider.requests();
  ASSERT_GE(requests.size(), 2u);
  EXPECT_EQ(requests[0].target, "/realms/a/.well-known/openid-configuration");
  EXPECT_EQ(requests[1].target, "/realms/.well-known/openid-configuration");
}

TEST(KeyDirectoryTest, DiscoveryTakesTheDocumentOfThisAuthorizationEndpoint) {
  ScriptedHttpServer provider({ScriptedResponse{404, {}, "no"}});
  KeyDirectory keys(kLoopbackPolicy);
  const std::string auth_url = provider.endpoint() + "/auth";
  // One candidate (the origin), which answers 404.
  EXPECT_THROW(keys.discover(auth_url, ""), DiscoveryError);
  ScriptedHttpServer named({json_answer(
      R"({"issuer":"https://id.example","jwks_uri":"https://id.example/jwks","userinfo_endpoint":"https://id.example/me"})")});
  Discovery d = keys.discover(auth_url, named.endpoint() + "/discovery");
  EXPECT_EQ(d.issuer, "https://id.example");
  EXPECT_EQ(d.jwks_uri, "https://id.example/jwks");
  EXPECT_EQ(d.userinfo_endpoint, "https://id.example/me");
  keys.discover(auth_url, named.endpoint() + "/discovery");  // cached
  EXPECT_EQ(named.requests().size(), 1u);
}

TEST(OutboundHttpTest, CapsTheAnswer) {
  ScriptedHttpServer server({json_answer(std::string(2048, 'x')), json_answer("small")});
  OutboundRequest request;
  request.url = server.endpoint() + "/a";
  request.max_body = 1024;
  OutboundResponse big = fetch(request, kLoopbackPolicy);
  EXPECT_FALSE(big.ok());
  EXPECT_NE(big.error.find("larger than 1024"), std::string::npos) << big.error;
  OutboundResponse small = fetch(request, kLoopbackPolicy);
  EXPECT_TRUE(small.ok()) << small.error;
  EXPECT_EQ(small.body, "small");
}

TEST(OutboundHttpTest, RefusesPlainHttpAndSpentDeadlinesWithoutConnecting) {
  ScriptedHttpServer server({json_answer("{}")});
  OutboundRequest request;
  request.url = server.endpoint() + "/a";
  EXPECT_FALSE(fetch(request, OutboundPolicy{}).ok());  // http, loopback not allowed
  request.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  OutboundResponse late = fetch(request, kLoopbackPolicy);
  EXPECT_EQ(late.error, "the sign-in ran out of time");
  EXPECT_TRUE(server.requests().empty());
}

TEST(OutboundHttpTest, AServerThatNeverAnswersTimesOut) {
  ScriptedHttpServer server({ScriptedResponse{ScriptedResponse::kNeverAnswer}});
  OutboundPolicy policy = kLoopbackPolicy;
  policy.total_timeout = std::chrono::milliseconds(300);
  OutboundRequest request;
  request.url = server.endpoint() + "/slow";
  OutboundResponse response = fetch(request, policy);
  EXPECT_FALSE(response.ok());
  EXPECT_FALSE(response.error.empty());
}

}  // namespace
}  // namespace basalt::oauth2
