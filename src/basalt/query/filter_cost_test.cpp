// estimate_cost: joins multiply by their fan-out (maxSelect for a multi-valued relation, an
// assumed bound for a back-relation), shared joins count once, every comparison adds a term and
// a plain operator on a multi-valued operand adds its all-of subquery.
#include "basalt/query/filter_cost.hpp"

#include <gtest/gtest.h>

#include "basalt/query/plan_cache.hpp"
#include "basalt/query/testing/blog_schema.hpp"
#include "basalt/query/testing/filter_fixture.hpp"

namespace basalt::query {
namespace {

class FilterCostTest : public ::testing::Test {
 protected:
  FilterCostTest() { testing::add_blog_schema(fixture_); }

  std::uint64_t filter_cost(std::string_view filter, std::string_view sort = {}) {
    auto context = fixture_.context("posts", ResolveMode::kRule);
    PlanPtr filter_plan = cache_.filter(context, 1, filter);
    PlanPtr sort_plan = sort.empty() ? nullptr : cache_.sort(context, 1, sort);
    const Plan* plans[] = {filter_plan.get(), sort_plan.get()};
    return estimate_cost(plans, fixture_.collections());
  }

  testing::FilterFixture fixture_;
  PlanCache cache_;
};

TEST_F(FilterCostTest, SingleRelationsCostOneRowPerComparison) {
  EXPECT_EQ(filter_cost("title = 'x'"), 1u);
  EXPECT_EQ(filter_cost("author.name = 'x'"), 1u);
  EXPECT_EQ(filter_cost("parent.parent.title = 'x' && views > 1"), 2u);
}

TEST_F(FilterCostTest, MultiValuedHopsMultiplyByMaxSelect) {
  EXPECT_EQ(filter_cost("tags.name ?= 'x'"), 5u);                          // tags: maxSelect 5
  EXPECT_EQ(filter_cost("tags.name ?= 'x' && editors.name ?= 'y'"), 50u);  // 5 * 5 rows, 2 terms
  EXPECT_EQ(filter_cost("parent.tags.name ?= 'x'"), 5u);
}

TEST_F(FilterCostTest, SharedJoinsCountOnceAndEachTermAdds) {
  EXPECT_EQ(filter_cost("tags.name ?= 'x' || tags.name ?= 'y' || tags.name ?= 'z'"), 15u);
}

TEST_F(FilterCostTest, PlainOperatorsOnManyValuesAddTheirAllOfSubquery) {
  EXPECT_EQ(filter_cost("tags.name = 'x'"), 30u);  // 5 rows * (1 + 5 subquery rows)
  EXPECT_EQ(filter_cost("tags.name ?= 'x'"), 5u);  // any-of: no subquery
}

TEST_F(FilterCostTest, BackRelationsUseTheAssumedFanOut) {
  EXPECT_EQ(filter_cost("comments_via_post.message ?= 'x'"), kAssumedBackRelationFanOut);
}

TEST_F(FilterCostTest, SortTermsCountWithTheFilter) {
  EXPECT_EQ(filter_cost("tags.name ?= 'x'", "-author.name,title"), 15u);  // 5 rows * 3 terms
}

TEST_F(FilterCostTest, DeepAllOfWalksAreOverTheClientLimit) {
  // 5 * 100 * 5 * 100 * 5 rows, each running a subquery of as many.
  EXPECT_GT(filter_cost("editors.posts_via_author.editors.posts_via_author.editors.name = 'x'"),
            kMaxClientCost);
  EXPECT_LE(filter_cost("editors.posts_via_author.title ?= 'x'"), kMaxClientCost);
}

}  // namespace
}  // namespace basalt::query
