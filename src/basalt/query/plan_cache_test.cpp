// PlanCache: a plan is resolved once per (version, collection, mode, auth collection, text),
// a newer schema version drops every plan, errors are not cached, the LRU bound holds.
#include "basalt/query/plan_cache.hpp"

#include <gtest/gtest.h>

#include "basalt/query/parse_error.hpp"
#include "basalt/query/resolve_error.hpp"
#include "basalt/query/testing/blog_schema.hpp"
#include "basalt/query/testing/filter_fixture.hpp"

namespace basalt::query {
namespace {

class PlanCacheTest : public ::testing::Test {
 protected:
  PlanCacheTest() { testing::add_blog_schema(fixture_); }
  testing::FilterFixture fixture_;
};

TEST_F(PlanCacheTest, SecondLookupIsAHit) {
  PlanCache cache;
  auto context = fixture_.context("posts", ResolveMode::kRule, false, "users");
  PlanPtr first = cache.filter(context, 7, "author.name = @request.auth.name");
  PlanPtr second = cache.filter(context, 7, "author.name = @request.auth.name");
  EXPECT_EQ(first, second);
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 1u);
}

TEST_F(PlanCacheTest, KeyHoldsModeAuthCollectionKindAndText) {
  PlanCache cache;
  auto rule = fixture_.context("posts", ResolveMode::kRule, false, "users");
  auto guest_rule = fixture_.context("posts", ResolveMode::kRule);
  auto client = fixture_.context("posts", ResolveMode::kClient, false, "users");
  auto superuser = fixture_.context("posts", ResolveMode::kClient, true, "users");
  PlanPtr a = cache.filter(rule, 1, "title = 'x'");
  EXPECT_NE(a, cache.filter(guest_rule, 1, "title = 'x'"));
  EXPECT_NE(a, cache.filter(client, 1, "title = 'x'"));
  EXPECT_NE(a, cache.filter(superuser, 1, "title = 'x'"));
  EXPECT_NE(a, cache.filter(rule, 1, "title = 'y'"));
  EXPECT_NE(a, cache.sort(rule, 1, "title"));
  EXPECT_EQ(cache.size(), 6u);
  EXPECT_EQ(cache.hits(), 0u);
}

TEST_F(PlanCacheTest, ANewerSchemaVersionDropsEveryPlan) {
  PlanCache cache;
  auto context = fixture_.context("posts", ResolveMode::kRule);
  PlanPtr old = cache.filter(context, 1, "title = 'x'");
  PlanPtr current = cache.filter(context, 2, "title = 'x'");
  EXPECT_NE(old, current);
  EXPECT_EQ(cache.size(), 1u);
  // A request still on version 1 resolves without touching the cache.
  PlanPtr stale = cache.filter(context, 1, "title = 'x'");
  EXPECT_NE(stale, current);
  EXPECT_EQ(cache.filter(context, 2, "title = 'x'"), current);
}

TEST_F(PlanCacheTest, ErrorsAreNotCached) {
  PlanCache cache;
  auto context = fixture_.context("posts", ResolveMode::kClient);
  EXPECT_THROW(cache.filter(context, 1, "nope = 1"), ResolveError);
  EXPECT_THROW(cache.filter(context, 1, "nope = 1"), ResolveError);
  EXPECT_THROW(cache.filter(context, 1, "(("), ParseError);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.misses(), 3u);
}

TEST_F(PlanCacheTest, LeastRecentlyUsedGoesFirst) {
  PlanCache cache(2);
  auto context = fixture_.context("posts", ResolveMode::kRule);
  PlanPtr a = cache.filter(context, 1, "title = 'a'");
  PlanPtr b = cache.filter(context, 1, "title = 'b'");
  EXPECT_EQ(cache.filter(context, 1, "title = 'a'"), a);  // a is now the most recent
  cache.filter(context, 1, "title = 'c'");                // evicts b
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.filter(context, 1, "title = 'a'"), a);
  EXPECT_NE(cache.filter(context, 1, "title = 'b'"), b);
}

}  // namespace
}  // namespace basalt::query
