#include "basalt/http/router.hpp"

#include <gtest/gtest.h>

namespace basalt::http {
namespace {

// Each route's handler is identified by its position; the test only compares pointers.
Handler noop() {
  return [](Request&, Response&) -> boost::asio::awaitable<void> { co_return; };
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest()
      : router_({
            {Method::kGet, "/api/health", noop()},
            {Method::kGet, "/api/collections", noop()},
            {Method::kPost, "/api/collections", noop()},
            {Method::kGet, "/api/collections/{collection}", noop()},
            {Method::kPatch, "/api/collections/{collection}", noop()},
            {Method::kPut, "/api/collections/import", noop()},
            {Method::kGet, "/api/collections/meta/scaffolds", noop()},
            {Method::kGet, "/api/collections/{collection}/records/{id}", noop()},
            {Method::kGet, "/", noop()},
        }) {}

  Router router_;
};

TEST_F(RouterTest, MatchesLiteralPath) {
  auto match = router_.match(Method::kGet, "/api/health");
  ASSERT_NE(match.handler, nullptr);
  EXPECT_TRUE(match.params.empty());
}

TEST_F(RouterTest, NamesTheMatchedRoutesPosition) {
  EXPECT_EQ(router_.match(Method::kGet, "/api/health").index, 0u);
  EXPECT_EQ(router_.match(Method::kPatch, "/api/collections/posts").index, 4u);
  EXPECT_EQ(router_.match(Method::kGet, "/api/collections/posts/records/x").index, 7u);
}

TEST_F(RouterTest, BindsAndDecodesParameters) {
  auto match = router_.match(Method::kGet, "/api/collections/posts/records/a%20b");
  ASSERT_NE(match.handler, nullptr);
  ASSERT_EQ(match.params.size(), 2u);
  EXPECT_EQ(match.params[0], std::make_pair(std::string("collection"), std::string("posts")));
  EXPECT_EQ(match.params[1], std::make_pair(std::string("id"), std::string("a b")));
}

TEST_F(RouterTest, LiteralBeatsParameterWhateverTheDeclarationOrder) {
  auto scaffolds = router_.match(Method::kGet, "/api/collections/meta/scaffolds");
  ASSERT_NE(scaffolds.handler, nullptr);
  EXPECT_TRUE(scaffolds.params.empty());
}

TEST_F(RouterTest, MethodDecidesBetweenLiteralAndParameter) {
  // `import` only has PUT, so GET falls through to the {collection} template, as in Go's mux.
  auto get = router_.match(Method::kGet, "/api/collections/import");
  ASSERT_NE(get.handler, nullptr);
  ASSERT_EQ(get.params.size(), 1u);
  EXPECT_EQ(get.params[0].second, "import");
  auto put = router_.match(Method::kPut, "/api/collections/import");
  ASSERT_NE(put.handler, nullptr);
  EXPECT_TRUE(put.params.empty());
  EXPECT_NE(get.handler, put.handler);
}

TEST_F(RouterTest, HeadFallsBackToGet) {
  EXPECT_EQ(router_.match(Method::kHead, "/api/health").handler,
            router_.match(Method::kGet, "/api/health").handler);
}

TEST_F(RouterTest, WrongMethodIsA405WithAllow) {
  auto match = router_.match(Method::kDelete, "/api/collections");
  EXPECT_EQ(match.handler, nullptr);
  EXPECT_TRUE(match.path_known);
  EXPECT_EQ(match.allow, "GET, HEAD, POST");
}

TEST_F(RouterTest, AllowListsMethodsOfEveryMatchingTemplate) {
  auto match = router_.match(Method::kDelete, "/api/collections/import");
  EXPECT_TRUE(match.path_known);
  EXPECT_EQ(match.allow, "GET, HEAD, PUT, PATCH");
}

TEST_F(RouterTest, UnknownPathIsA404) {
  auto match = router_.match(Method::kGet, "/api/nope");
  EXPECT_EQ(match.handler, nullptr);
  EXPECT_FALSE(match.path_known);
}

TEST_F(RouterTest, NoTrailingSlashNormalisation) {
  EXPECT_FALSE(router_.match(Method::kGet, "/api/health/").path_known);
  EXPECT_FALSE(router_.match(Method::kGet, "//api/health").path_known);
  EXPECT_FALSE(router_.match(Method::kGet, "/API/health").path_known);
}

TEST_F(RouterTest, ParameterNeverMatchesAnEmptySegment) {
  EXPECT_FALSE(router_.match(Method::kGet, "/api/collections//records/x").path_known);
}

TEST_F(RouterTest, RootPathIsARoute) {
  EXPECT_NE(router_.match(Method::kGet, "/").handler, nullptr);
  EXPECT_FALSE(router_.match(Method::kGet, "").path_known);
}

TEST(RouterBuildTest, RejectsDuplicatesAndMalformedTemplates) {
  EXPECT_THROW(Router({{Method::kGet, "/a", noop()}, {Method::kGet, "/a", noop()}}),
               std::invalid_argument);
  EXPECT_THROW(Router({{Method::kGet, "a", noop()}}), std::invalid_argument);
  EXPECT_THROW(Router({{Method::kGet, "/a/{x", noop()}}), std::invalid_argument);
  EXPECT_THROW(Router({{Method::kGet, "/a/{x}", noop()}, {Method::kPost, "/a/{y}", noop()}}),
               std::invalid_argument);
}

}  // namespace
}  // namespace basalt::http
