// The access paths SQLite chooses for the semi-join forms (docs/query-compiler.md), read from
// EXPLAIN QUERY PLAN on a real database with PocketBase-benchmark-like collections and
// statistics (ANALYZE over a few thousand posts): the related side is read once as a list
// subquery (or through its index), never once per post, and nothing needs a DISTINCT b-tree.
// Assertions are on the plan's shape only, never on timing.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <string>
#include <vector>

#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/query/parser.hpp"
#include "basalt/query/query_builder.hpp"
#include "basalt/query/resolver.hpp"
#include "basalt/query/testing/filter_fixture.hpp"

namespace basalt::query {
namespace {

namespace json = boost::json;
using testing::FilterFixture;

class SemiJoinPlanTest : public ::testing::Test {
 protected:
  SemiJoinPlanTest() {
    fixture_.add_collection(R"({"id":"col_orgs","name":"organizations","type":"base",
        "listRule":"","fields":[{"name":"name","type":"text"}]})");
    fixture_.add_collection(R"({"id":"col_perms","name":"permissions","type":"base",
        "listRule":"","fields":[{"name":"name","type":"text"},{"name":"active","type":"bool"}]})");
    fixture_.add_collection(R"({"id":"col_members","name":"members","type":"auth",
        "listRule":"","fields":[
          {"name":"organization","type":"relation","maxSelect":1,"collectionId":"col_orgs"},
          {"name":"permissions","type":"relation","maxSelect":2,"collectionId":"col_perms"}]})");
    fixture_.add_collection(R"({"id":"col_topics","name":"topics","type":"base",
        "listRule":"","fields":[{"name":"name","type":"text"}]})");
    fixture_.add_collection(R"json({"id":"col_articles","name":"articles","type":"base",
        "listRule":"","fields":[{"name":"title","type":"text"},
          {"name":"author","type":"relation","maxSelect":1,"collectionId":"col_members"},
          {"name":"topics","type":"relation","maxSelect":3,"collectionId":"col_topics"}],
        "indexes":["CREATE INDEX idx_articles_author ON articles (author)"]})json");
    fixture_.add_collection(R"json({"id":"col_replies","name":"replies","type":"base",
        "listRule":"","fields":[{"name":"text","type":"text"},
          {"name":"article","type":"relation","maxSelect":1,"collectionId":"col_articles"}],
        "indexes":["CREATE INDEX idx_replies_article ON replies (article)"]})json");
    for (int i = 0; i < 5; ++i) {
      fixture_.insert("organizations", json::object{{"id", id("org", i)}, {"name", "org"}});
    }
    for (int i = 0; i < 10; ++i) {
      fixture_.insert("permissions",
                      json::object{{"id", id("prm", i)}, {"name", "perm"}, {"active", i % 2 == 0}});
    }
    for (int i = 0; i < 50; ++i) {
      fixture_.insert(
          "members",
          json::object{{"id", id("mem", i)},
                       {"email", id("m", i) + "@x"},
                       {"organization", id("org", i % 5)},
                       {"permissions", json::array{json::string(id("prm", i % 10)),
                                                   json::string(id("prm", (i + 3) % 10))}}});
    }
    for (int i = 0; i < 20; ++i) {
      fixture_.insert("topics", json::object{{"id", id("top", i)}, {"name", "topic"}});
    }
    for (int i = 0; i < 2000; ++i) {
      fixture_.insert("articles",
                      json::object{{"id", id("art", i)},
                                   {"title", "t"},
                                   {"author", id("mem", i % 50)},
                                   {"topics", json::array{json::string(id("top", i % 20)),
                                                          json::string(id("top", (i + 7) % 20))}}});
    }
    fixture_.add_collection(R"({"id":"col_votes","name":"votes","type":"base",
        "listRule":"","fields":[{"name":"kind","type":"text"},
          {"name":"articles","type":"relation","maxSelect":5,"collectionId":"col_articles"}]})");
    for (int i = 0; i < 300; ++i) {
      fixture_.insert("votes",
                      json::object{{"id", id("vot", i)},
                                   {"kind", i % 3 == 0 ? "up" : "down"},
                                   {"articles", json::array{json::string(id("art", i)),
                                                            json::string(id("art", i + 1))}}});
    }
    for (int i = 0; i < 500; ++i) {
      fixture_.insert(
          "replies",
          json::object{{"id", id("rep", i)}, {"text", "r"}, {"article", id("art", i * 3)}});
    }
    db::testing::sync_wait(
        fixture_.database().write([](db::Transaction& tx) -> boost::asio::awaitable<void> {
          co_await tx.execute("ANALYZE", db::Params{});
        }));
  }

  static std::string id(const char* prefix, int n) {
    std::string digits = std::to_string(n);
    return prefix + std::string(15 - std::string_view(prefix).size() - digits.size(), '0') + digits;
  }

  // The EXPLAIN QUERY PLAN of the list page and of its count for `filter` as the rule of
  // articles, one detail per line.
  std::string plan_of(std::string_view filter, bool count = false) {
    return plan_for(filter, RequestInfo{}, count);
  }
  // The same, as `member`'s request (an @request.auth path reads their record).
  std::string plan_as(std::string_view filter, std::string_view member, bool count = false) {
    RequestInfo request;
    request.auth = AuthInfo{"col_members", "members", json::object{{"id", member}}};
    return plan_for(filter, request, count);
  }
  std::string plan_for(std::string_view filter, const RequestInfo& request, bool count) {
    Ast ast = parse_filter(filter, ParseLimits::stored_rule());
    std::string_view auth = request.auth ? "members" : "";
    PlanPtr plan =
        resolve_filter(ast, fixture_.context("articles", ResolveMode::kRule, false, auth));
    CompiledQuery query =
        compile_filter(fixture_.database().dialect(), *plan, request, testing::fixed_now());
    std::string sql =
        count ? query.count_sql() : query.select_sql(query.table + ".*") + " LIMIT 20";
    auto rows = db::testing::sync_wait(fixture_.database().query(
        "EXPLAIN QUERY PLAN " + sql, count ? query.count_params() : query.params));
    std::string out;
    for (auto row : rows) out += std::string(row.as_text(3)) + "\n";
    return out;
  }

  FilterFixture fixture_;
};

bool plan_has(const std::string& plan, std::string_view text) {
  return plan.find(text) != std::string::npos;
}

// The page and the count of every shape: no DISTINCT b-tree, no per-post subquery that reads
// the posts table again.
void expect_no_distinct_and_no_post_rescan(const std::string& plan) {
  EXPECT_FALSE(plan_has(plan, "DISTINCT")) << plan;
  std::size_t correlated = plan.find("CORRELATED");
  if (correlated != std::string::npos) {
    EXPECT_FALSE(plan_has(plan.substr(correlated), "articles USING")) << plan;
    EXPECT_FALSE(plan_has(plan.substr(correlated), "SCAN articles\n")) << plan;
  }
}

// A single relation: the members matching are listed once and the posts found through the
// index on the relation column.
TEST_F(SemiJoinPlanTest, SingleRelationReadsTheRelatedSideOnce) {
  for (bool count : {false, true}) {
    std::string plan = plan_of("author.email = 'x'", count);
    EXPECT_TRUE(plan_has(plan, "LIST SUBQUERY")) << plan;
    EXPECT_TRUE(plan_has(plan, "idx_articles_author (author=?)")) << plan;
    expect_no_distinct_and_no_post_rescan(plan);
  }
}

// Two single hops with `!=`: a post without a visible author matches too, so the posts are
// the ones whose author is not among the members that fail the condition: one NOT IN list
// (the organizations read inside it by primary key), no per-post NOT EXISTS; the count reads
// the author index alone.
TEST_F(SemiJoinPlanTest, TwoHopsNotEqualIsOneAntiJoinList) {
  for (bool count : {false, true}) {
    std::string plan = plan_of("author.organization.name != 'test'", count);
    EXPECT_TRUE(plan_has(plan, "LIST SUBQUERY")) << plan;
    EXPECT_TRUE(plan_has(plan, "articles_author_organization USING INDEX")) << plan;
    EXPECT_FALSE(plan_has(plan, "CORRELATED")) << plan;
    if (count) {
      EXPECT_TRUE(plan_has(plan, "COVERING INDEX idx_articles_author")) << plan;
    }
    expect_no_distinct_and_no_post_rescan(plan);
  }
}

// A multiple relation under a single one, any-of and all-of: one list subquery over the
// members; the all-of check is correlated with the member row (by its id), not with the post.
TEST_F(SemiJoinPlanTest, MultipleRelationUnderASingleOneIsOneListSubquery) {
  for (const char* filter :
       {"author.permissions.active ?= true", "author.permissions.active = true",
        "author.permissions.name ?~ 'perm 1'"}) {
    for (bool count : {false, true}) {
      std::string plan = plan_of(filter, count);
      EXPECT_TRUE(plan_has(plan, "idx_articles_author (author=?)")) << filter << "\n" << plan;
      EXPECT_TRUE(plan_has(plan, "LIST SUBQUERY")) << filter << "\n" << plan;
      expect_no_distinct_and_no_post_rescan(plan);
    }
  }
  std::string all_of = plan_of("author.permissions.active = true");
  std::size_t correlated = all_of.find("CORRELATED SCALAR SUBQUERY");
  ASSERT_NE(correlated, std::string::npos) << all_of;
  EXPECT_TRUE(plan_has(all_of.substr(correlated),
                       "__mm_articles_author USING INDEX sqlite_autoindex_members_1 (id=?)"))
      << all_of;
}

// A back-relation: the replies matching are listed once, the posts found by primary key.
TEST_F(SemiJoinPlanTest, BackRelationIsAListSubqueryOverTheReferringSide) {
  for (bool count : {false, true}) {
    std::string plan = plan_of("replies_via_article.text ?~ 'x'", count);
    EXPECT_TRUE(plan_has(plan, "LIST SUBQUERY")) << plan;
    EXPECT_TRUE(plan_has(plan, "sqlite_autoindex_articles_1 (id=?)")) << plan;
    expect_no_distinct_and_no_post_rescan(plan);
  }
}

// A multiple relation of the record: one EXISTS per post over its own id list (json_each of
// its column), each topic found by primary key; no join that repeats the post, no DISTINCT.
TEST_F(SemiJoinPlanTest, MultipleRelationOfTheRecordIsAnExistsOverItsIds) {
  for (bool count : {false, true}) {
    std::string plan = plan_of("topics.name ?= 'topic'", count);
    std::size_t correlated = plan.find("CORRELATED SCALAR SUBQUERY");
    ASSERT_NE(correlated, std::string::npos) << plan;
    EXPECT_TRUE(plan_has(plan.substr(correlated), "SCAN __je_articles_topics VIRTUAL TABLE"))
        << plan;
    EXPECT_TRUE(plan_has(plan.substr(correlated),
                         "SEARCH articles_topics USING INDEX sqlite_autoindex_topics_1 (id=?)"))
        << plan;
    expect_no_distinct_and_no_post_rescan(plan);
  }
}

// A back-relation through a multiple field: the votes matching are read once, their article
// ids listed, and the posts found by primary key.
TEST_F(SemiJoinPlanTest, BackRelationThroughAMultipleFieldIsAListOfIds) {
  for (bool count : {false, true}) {
    std::string plan = plan_of("votes_via_articles.kind ?= 'up'", count);
    EXPECT_TRUE(plan_has(plan, "LIST SUBQUERY")) << plan;
    EXPECT_TRUE(plan_has(plan, "SCAN articles_votes_via_articles")) << plan;
    EXPECT_TRUE(plan_has(plan, "sqlite_autoindex_articles_1 (id=?)")) << plan;
    EXPECT_FALSE(plan_has(plan, "CORRELATED")) << plan;
    expect_no_distinct_and_no_post_rescan(plan);
  }
}

// The requester's relations do not depend on the post: one uncorrelated subquery (SQLite runs
// it once per statement), the requester found by primary key.
TEST_F(SemiJoinPlanTest, RequesterRelationIsOneUncorrelatedSubquery) {
  for (bool count : {false, true}) {
    std::string plan = plan_as("@request.auth.organization.name = 'org'", id("mem", 3), count);
    EXPECT_TRUE(plan_has(plan, "SCALAR SUBQUERY")) << plan;
    EXPECT_FALSE(plan_has(plan, "CORRELATED")) << plan;
    EXPECT_TRUE(
        plan_has(plan, "SEARCH __auth_members USING INDEX sqlite_autoindex_members_1 (id=?)"))
        << plan;
    expect_no_distinct_and_no_post_rescan(plan);
  }
}

// @collection: uncorrelated when the condition reads no column of the post, else one EXISTS
// per post with the correlation inside. The comparison of two columns is PocketBase's
// NULL-safe `COALESCE(a, '') = COALESCE(b, '')`, which no index serves: the subquery scans the
// replies' covering index (less than the plain join's cross product, which also needed
// DISTINCT), and stops at the first match.
TEST_F(SemiJoinPlanTest, CollectionConditionIsAnExists) {
  for (bool count : {false, true}) {
    std::string free = plan_of("@collection.organizations.name ?= 'org'", count);
    EXPECT_TRUE(plan_has(free, "SCALAR SUBQUERY")) << free;
    EXPECT_FALSE(plan_has(free, "CORRELATED")) << free;
    expect_no_distinct_and_no_post_rescan(free);

    std::string bound = plan_of("@collection.replies.article ?= id", count);
    std::size_t correlated = bound.find("CORRELATED SCALAR SUBQUERY");
    ASSERT_NE(correlated, std::string::npos) << bound;
    EXPECT_TRUE(plan_has(bound.substr(correlated), "COVERING INDEX idx_replies_article")) << bound;
    expect_no_distinct_and_no_post_rescan(bound);
  }
}

}  // namespace
}  // namespace basalt::query
