// Property test (non-interference): what a guest learns through a filter or a sort never
// depends on data the list would not show them. Two databases that differ only in such data -
// the fields of related records their collection's listRule hides, and emails whose owner
// turned emailVisibility off - must answer every random client filter and sort alike.
//
// The filters walk every kind of path a client can: single and multiple relations,
// back-relations (through single and multiple fields), chains of them, all-of and any-of operators,
// :length and :lower.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/query/parse_error.hpp"
#include "basalt/query/parser.hpp"
#include "basalt/query/query_builder.hpp"
#include "basalt/query/resolve_error.hpp"
#include "basalt/query/resolver.hpp"
#include "basalt/query/sort.hpp"
#include "basalt/query/testing/filter_fixture.hpp"
#include "basalt/query/testing/property_random.hpp"

namespace basalt::query {
namespace {

namespace json = boost::json;
using testing::chance;
using testing::env_or;
using testing::FilterFixture;
using testing::pick;

// BASALT_PROPERTY_SEED / BASALT_PROPERTY_FILTERS override these for longer local runs.
constexpr unsigned kSeed = 20261206;
constexpr int kDatabases = 6;
constexpr int kQueriesPerDatabase = 300;

// The list rules of the related collections, each with the fields it reads: those stay equal in
// both databases (changing them would change what is visible, which a guest may learn).
struct RuleCase {
  const char* rule;
  std::vector<std::string> reads;
};

const RuleCase kPeopleRules[] = {
    {"", {}},
    {"name != 'zed'", {"name"}},
    {"verified = true", {"verified"}},
};
const RuleCase kCommentRules[] = {
    {"", {}},
    {"public = true", {"public"}},
    {"score > 2 && public = true", {"score", "public"}},
    {"author.name = 'ann'", {"author"}},
    {"post.title != 'x'", {"post"}},
};

const char* const kNames[] = {"ann", "bob", "zed", "amy"};
const char* const kTexts[] = {"", "a", "b", "abc", "x", "secret", "m", "zz"};

const char* const kPaths[] = {
    "title",
    "owner.name",
    "owner.email",
    "owner.email:lower",
    "members.name",
    "members.email",
    "members:length",
    "comments_via_post.body",
    "comments_via_post.score",
    "comments_via_post.public",
    "comments_via_post.author.email",
    "comments_via_post.author.name",
    "comments_via_post.post.title",
    "owner.comments_via_author.body",
    "owner.comments_via_author.score",
    "members.comments_via_author.body",
    "comments_via_post.body:lower",
    "comments_via_also.body",  // a back-relation through a multiple field
    "comments_via_also.score",
    "comments_via_also.author.name",
};
const char* const kLiterals[] = {"'a'",     "''",  "'ann'", "'zed'", "'m'",  "'secret'",
                                 "'zed@x'", "1",   "2",     "3",     "true", "false",
                                 "'b'",     "'x'", "null",  "'zz'"};
const char* const kOperators[] = {"=",  "!=",  ">",  ">=",  "<",  "<=",  "~",  "!~",
                                  "?=", "?!=", "?>", "?>=", "?<", "?<=", "?~", "?!~"};
const char* const kSorts[] = {"owner.email", "-owner.email", "owner.name",
                              "title",       "-title",       "owner.verified"};

std::string random_filter(std::mt19937& rng, int depth = 0) {
  if (depth < 1 && chance(rng, 0.3)) {
    return "(" + random_filter(rng, depth + 1) + (chance(rng, 0.5) ? " && " : " || ") +
           random_filter(rng, depth + 1) + ")";
  }
  std::string right = chance(rng, 0.15) ? pick(rng, kPaths) : pick(rng, kLiterals);
  return std::string(pick(rng, kPaths)) + " " + pick(rng, kOperators) + " " + right;
}

std::string id(const char* prefix, int n) {
  char out[16];
  std::snprintf(out, sizeof out, "%s%0*d", prefix, static_cast<int>(15 - std::strlen(prefix)), n);
  return out;
}

// One random data set, built twice: `hidden_variant` changes every value the guest may not see.
struct DataSet {
  const RuleCase* people_rule = nullptr;
  const RuleCase* comment_rule = nullptr;
  std::vector<json::object> people, posts, comments;
};

bool reads(const RuleCase& rule, std::string_view field) {
  for (const auto& read : rule.reads) {
    if (read == field) return true;
  }
  return false;
}

DataSet random_data(std::mt19937& rng) {
  DataSet data;
  data.people_rule = &pick(rng, kPeopleRules);
  data.comment_rule = &pick(rng, kCommentRules);
  for (int i = 0; i < 5; ++i) {
    json::object p;
    p["id"] = id("per", i);
    p["name"] = pick(rng, kNames);
    p["email"] = std::string(pick(rng, kNames)) + std::to_string(i) + "@x";
    p["emailVisibility"] = chance(rng, 0.5);
    p["verified"] = chance(rng, 0.5);
    data.people.push_back(std::move(p));
  }
  for (int i = 0; i < 6; ++i) {
    json::object p;
    p["id"] = id("pos", i);
    p["title"] = pick(rng, kTexts);
    p["owner"] =
        chance(rng, 0.2) ? std::string() : id("per", std::uniform_int_distribution(0, 4)(rng));
    json::array members;
    for (int k = 0; k < 5; ++k) {
      if (chance(rng, 0.35)) members.push_back(json::string(id("per", k)));
    }
    p["members"] = members;
    data.posts.push_back(std::move(p));
  }
  for (int i = 0; i < 10; ++i) {
    json::object c;
    c["id"] = id("com", i);
    c["body"] = pick(rng, kTexts);
    c["score"] = std::uniform_int_distribution(0, 4)(rng);
    c["public"] = chance(rng, 0.5);
    c["post"] = id("pos", std::uniform_int_distribution(0, 5)(rng));
    c["author"] = id("per", std::uniform_int_distribution(0, 4)(rng));
    json::array also;
    for (int k = 0; k < 6; ++k) {
      if (chance(rng, 0.25)) also.push_back(json::string(id("pos", k)));
    }
    c["also"] = also;
    data.comments.push_back(std::move(c));
  }
  return data;
}

// Whether a guest's list of people / comments shows the record (the rules of kPeopleRules /
// kCommentRules evaluated by hand).
bool person_listed(const DataSet& data, const json::object& p) {
  std::string_view rule = data.people_rule->rule;
  if (rule == "name != 'zed'") return p.at("name").get_string() != "zed";
  if (rule == "verified = true") return p.at("verified").get_bool();
  return true;
}

bool comment_listed(const DataSet& data, const json::object& c) {
  std::string_view rule = data.comment_rule->rule;
  if (rule == "public = true") return c.at("public").get_bool();
  if (rule == "score > 2 && public = true") {
    return c.at("score").to_number<double>() > 2 && c.at("public").get_bool();
  }
  if (rule == "author.name = 'ann'") {
    for (const auto& p : data.people) {
      if (p.at("id") == c.at("author")) return p.at("name").get_string() == "ann";
    }
    return false;
  }
  if (rule == "post.title != 'x'") {
    for (const auto& p : data.posts) {
      if (p.at("id") == c.at("post")) return p.at("title").get_string() != "x";
    }
    return false;
  }
  return true;
}

// The same data with every value hidden from a guest replaced.
DataSet hidden_variant(const DataSet& data, std::mt19937& rng) {
  DataSet other = data;
  for (auto& p : other.people) {
    bool listed = person_listed(data, p);
    if (!listed || !p.at("emailVisibility").get_bool()) {
      p["email"] = "zed" + std::to_string(std::uniform_int_distribution(100, 999)(rng)) +
                   std::string(p.at("id").get_string()) + "@x";
    }
    if (!listed) {
      if (!reads(*data.people_rule, "verified")) p["verified"] = chance(rng, 0.5);
      // The comment rule "author.name = 'ann'" reads a person's name through the relation.
      if (!reads(*data.people_rule, "name") && !reads(*data.comment_rule, "author")) {
        p["name"] = pick(rng, kNames);
      }
    }
  }
  for (auto& c : other.comments) {
    if (comment_listed(data, c)) continue;
    c["body"] = pick(rng, kTexts);
    if (!reads(*data.comment_rule, "score")) c["score"] = std::uniform_int_distribution(0, 4)(rng);
    if (!reads(*data.comment_rule, "public")) c["public"] = chance(rng, 0.5);
    if (!reads(*data.comment_rule, "author")) {
      c["author"] = id("per", std::uniform_int_distribution(0, 4)(rng));
    }
    if (!reads(*data.comment_rule, "post")) {
      c["post"] = id("pos", std::uniform_int_distribution(0, 5)(rng));
    }
    json::array also;
    for (int k = 0; k < 6; ++k) {
      if (chance(rng, 0.25)) also.push_back(json::string(id("pos", k)));
    }
    c["also"] = also;
  }
  return other;
}

std::unique_ptr<FilterFixture> build(const DataSet& data) {
  auto fixture = std::make_unique<FilterFixture>();
  fixture->add_collection(std::string(R"({"id":"col_people","name":"people","type":"auth",)") +
                          R"("listRule":)" + json::serialize(json::string(data.people_rule->rule)) +
                          R"(,"fields":[{"name":"name","type":"text"}]})");
  fixture->add_collection(R"({"id":"col_posts","name":"posts","type":"base","listRule":"",
      "fields":[{"name":"title","type":"text"},
                {"name":"owner","type":"relation","maxSelect":1,"collectionId":"col_people"},
                {"name":"members","type":"relation","maxSelect":5,"collectionId":"col_people"}]})");
  fixture->add_collection(
      std::string(R"({"id":"col_comments","name":"comments","type":"base","listRule":)") +
      json::serialize(json::string(data.comment_rule->rule)) +
      R"(,"fields":[{"name":"body","type":"text"},{"name":"score","type":"number"},
                {"name":"public","type":"bool"},
                {"name":"post","type":"relation","maxSelect":1,"collectionId":"col_posts"},
                {"name":"author","type":"relation","maxSelect":1,"collectionId":"col_people"},
                {"name":"also","type":"relation","maxSelect":6,"collectionId":"col_posts"}]})");
  for (const auto& p : data.people) fixture->insert("people", p);
  for (const auto& p : data.posts) fixture->insert("posts", p);
  for (const auto& c : data.comments) fixture->insert("comments", c);
  return fixture;
}

// The posts a guest's `filter` (and `sort`, in order) selects; nullopt when the query is refused.
std::optional<std::vector<std::string>> run(FilterFixture& fixture, const std::string& filter,
                                            const std::string& sort) {
  try {
    ResolveContext context = fixture.context("posts", ResolveMode::kClient);
    PlanPtr filter_plan =
        resolve_filter(parse_filter(filter, ParseLimits::client_filter()), context);
    PlanPtr sort_plan = resolve_sort(parse_sort(sort + ",id"), context);
    RequestInfo request;
    QueryBuilder builder(fixture.database().dialect(), *filter_plan);
    builder.add_filter(*filter_plan, request, testing::fixed_now());
    builder.add_sort(*sort_plan, request, testing::fixed_now());
    CompiledQuery query = std::move(builder).finish();
    std::string sql = query.select_sql(query.table + ".\"id\"");
    auto rows = db::testing::sync_wait(fixture.database().query(sql, query.params));
    std::vector<std::string> ids;
    for (auto row : rows) ids.emplace_back(row.as_text(0));
    return ids;
  } catch (const ParseError&) {
    return std::nullopt;
  } catch (const ResolveError&) {
    return std::nullopt;
  }
}

json::object visibility_person(int n) {
  return json::object{{"id", id("per", n)},
                      {"name", "ann"},
                      {"email", "p" + std::to_string(n) + "@x"},
                      {"emailVisibility", true},
                      {"verified", true}};
}

json::object visibility_post(int n, int owner, std::vector<int> members) {
  json::array ids;
  for (int m : members) ids.push_back(json::string(id("per", m)));
  return json::object{{"id", id("pos", n)},
                      {"title", "t"},
                      {"owner", owner < 0 ? std::string() : id("per", owner)},
                      {"members", ids}};
}

json::object visibility_comment(int n, const char* body, bool shown, int post, int author) {
  return json::object{{"id", id("com", n)},
                      {"body", body},
                      {"score", 1},
                      {"public", shown},
                      {"post", id("pos", post)},
                      {"author", id("per", author)},
                      {"also", json::array{}}};
}

// The leak seed 11 found (before comments.also), reduced: a person whose comments are all hidden
// must read as a person with no comments on every path form. Post 0 has members 0 (one hidden
// comment) and 1 (a visible one); in `moved` the hidden comment belongs to person 3, who is
// nobody's member. Post 1 is owned by person 0 and has the hidden comment in `seen`; post 2 is
// owned by person 2, who has none and whose member 1 has a visible comment. All-of operators see
// one NULL row for a member without visible comments, as the main query's LEFT JOIN does, so post 0
// fails `!= ''` in both databases.
TEST(FilterVisibilityPropertyTest, AllHiddenRowsReadAsNoRowsOnEveryPathForm) {
  DataSet seen;
  static const RuleCase kEveryone{"", {}};
  static const RuleCase kPublicComments{"public = true", {"public"}};
  seen.people_rule = &kEveryone;
  seen.comment_rule = &kPublicComments;
  for (int n = 0; n < 4; ++n) seen.people.push_back(visibility_person(n));
  seen.posts = {visibility_post(0, -1, {0, 1}), visibility_post(1, 0, {}),
                visibility_post(2, 2, {1})};
  seen.comments = {visibility_comment(0, "a", true, 2, 1),
                   visibility_comment(1, "secret", false, 1, 0)};
  DataSet moved = seen;
  moved.comments[1] = visibility_comment(1, "secret", false, 2, 3);
  auto a = build(seen);
  auto b = build(moved);
  const char* const filters[] = {
      "members.comments_via_author.body != ''",   // all-of over a multiple relation
      "members.comments_via_author.body = null",  // all-of, the NULL row matches
      "members.comments_via_author.body ?= null",
      "owner.comments_via_author.body != ''",  // all-of under a single hop (semi-join)
      "owner.comments_via_author.body = ''",
      "owner.comments_via_author.body ?= ''",
      "comments_via_post.body != 'a'",  // back-relation from the record
      "comments_via_post.body = ''",
      "comments_via_post.body ?!= 'a'",
      "comments_via_post.body:lower = ''",
      "comments_via_post.author.name = 'ann'",
      "members.comments_via_author.body != owner.comments_via_author.body",
      "title != members.comments_via_author.body",
      "comments_via_post.score = members.name",
  };
  for (const char* filter : filters) {
    auto in_seen = run(*a, filter, "title");
    auto in_moved = run(*b, filter, "title");
    ASSERT_TRUE(in_seen.has_value()) << filter;
    EXPECT_EQ(in_seen, in_moved) << filter;
  }
  // The reduced case itself: post 0's member 0 has no visible comment, a NULL body.
  EXPECT_EQ(run(*a, "members.comments_via_author.body != ''", "title"),
            std::vector<std::string>{id("pos", 2)});
}

TEST(FilterVisibilityPropertyTest, HiddenDataNeverChangesWhatAGuestFilterSelects) {
  std::mt19937 rng(env_or("BASALT_PROPERTY_SEED", kSeed));
  const int queries = static_cast<int>(env_or("BASALT_PROPERTY_FILTERS", kQueriesPerDatabase));
  int compared = 0;
  for (int d = 0; d < kDatabases; ++d) {
    DataSet data = random_data(rng);
    DataSet other = hidden_variant(data, rng);
    auto seen = build(data);
    auto changed = build(other);
    for (int q = 0; q < queries; ++q) {
      std::string filter = random_filter(rng);
      std::string sort = pick(rng, kSorts);
      auto a = run(*seen, filter, sort);
      auto b = run(*changed, filter, sort);
      ASSERT_EQ(a.has_value(), b.has_value()) << filter;
      if (!a) continue;
      ++compared;
      ASSERT_EQ(*a, *b) << "filter: " << filter << "\nsort: " << sort
                        << "\npeople rule: " << data.people_rule->rule
                        << "\ncomments rule: " << data.comment_rule->rule;
    }
  }
  // Most random queries must resolve, or the property says little.
  EXPECT_GT(compared, kDatabases * queries / 2);
}

}  // namespace
}  // namespace basalt::query
