// Filter -> SQL: the exact WHERE clause, joins and parameters a filter compiles to, for the
// forms PocketBase produces (tools/search/filter.go, core/record_field_resolver_runner.go).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>
#include <vector>

#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/query/parser.hpp"
#include "basalt/query/query_builder.hpp"
#include "basalt/query/resolver.hpp"
#include "basalt/query/sort.hpp"
#include "basalt/query/testing/blog_schema.hpp"
#include "basalt/query/testing/filter_fixture.hpp"

namespace basalt::query {
namespace {

namespace json = boost::json;
using testing::fixed_now;

std::string params_text(const db::Params& params) {
  std::string out;
  for (const auto& p : params) {
    if (!out.empty()) out += " | ";
    if (std::holds_alternative<std::nullptr_t>(p)) out += "NULL";
    if (const auto* i = std::get_if<std::int64_t>(&p)) out += std::to_string(*i);
    if (const auto* d = std::get_if<double>(&p)) {
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "%g", *d);
      out += buffer;
    }
    if (const auto* s = std::get_if<std::string>(&p)) out += *s;
  }
  return out;
}

class CompileTest : public ::testing::Test {
 protected:
  CompileTest() { testing::add_blog_schema(fixture_); }

  PlanPtr plan(std::string_view collection, std::string_view filter,
               ResolveMode mode = ResolveMode::kRule, bool superuser = false,
               std::string_view auth = "users") {
    Ast ast = parse_filter(filter, ParseLimits::stored_rule());
    return resolve_filter(ast, fixture_.context(collection, mode, superuser, auth));
  }

  CompiledQuery compile(std::string_view collection, std::string_view filter,
                        const RequestInfo& request, ResolveMode mode = ResolveMode::kRule) {
    auto p = plan(collection, filter, mode, false, request.auth ? "users" : "");
    return compile_filter(fixture_.database().dialect(), *p, request, fixed_now());
  }

  // "<joins> WHERE <where> -- <params>", the joins omitted when there are none.
  std::string sql(std::string_view filter, const RequestInfo& request = guest(),
                  std::string_view collection = "posts") {
    CompiledQuery q = compile(collection, filter, request);
    std::string out;
    for (const auto& join : q.joins) out += join + " ";
    out += "WHERE " + q.where;
    std::string params = params_text(q.params);
    if (!params.empty()) out += " -- " + params;
    return out;
  }

  static RequestInfo guest() { return {}; }
  static RequestInfo ann() {
    RequestInfo request;
    request.auth = AuthInfo{"_pb_users_auth_", "users",
                            json::parse(R"({"id":"u1","email":"ann@x.io","verified":true,
                                            "emailVisibility":false,"name":"Ann"})")
                                .as_object()};
    return request;
  }

  testing::FilterFixture fixture_;
};

// One request for the whole table: Ann is signed in, the query has q=hello, the body names an
// author and two labels.
TEST_F(CompileTest, FiltersCompileToPocketBaseForms) {
  struct Case {
    const char* filter;
    const char* sql;
  };
  const Case
      kCases
          [] =
              {
                  {R"(title = 'x')", R"sql(WHERE "posts"."title" = ?1 -- x)sql"},
                  {R"(title = '')",
                   R"sql(WHERE ("posts"."title" = '' OR "posts"."title" IS NULL))sql"},
                  {R"(title != '')",
                   R"sql(WHERE "posts"."title" IS NOT '' AND "posts"."title" IS NOT NULL)sql"},
                  {R"('' = title)",
                   R"sql(WHERE ('' = "posts"."title" OR "posts"."title" IS NULL))sql"},
                  {R"(title = null)",
                   R"sql(WHERE ("posts"."title" = '' OR "posts"."title" IS NULL))sql"},
                  {R"(null = '')", R"sql(WHERE '' = '')sql"},
                  {R"(title != body)",
                   R"sql(WHERE COALESCE("posts"."title", '') IS NOT COALESCE("posts"."body", ''))sql"},
                  {R"(flag = true)", R"sql(WHERE "posts"."flag" = 1)sql"},
                  {R"(views > 10)", R"sql(WHERE "posts"."views" > ?1 -- 10)sql"},
                  {R"(meta = null)",
                   R"sql(WHERE (CASE WHEN json_valid("posts"."meta") THEN json_extract("posts"."meta", ?1) ELSE json_extract(json_object('pb', "posts"."meta"), ?2) END) IS NULL -- $ | $.pb)sql"},
                  {R"(meta.a != 1)",
                   R"sql(WHERE (CASE WHEN json_valid("posts"."meta") THEN json_extract("posts"."meta", ?1) ELSE json_extract(json_object('pb', "posts"."meta"), ?2) END) IS NOT ?3 -- $.a | $.pb.a | 1)sql"},
                  {R"(title ~ 'a_b')",
                   R"sql(WHERE "posts"."title" LIKE ?1 ESCAPE '\' -- %a\_b%)sql"},
                  {R"(title ~ '50%')", R"sql(WHERE "posts"."title" LIKE ?1 ESCAPE '\' -- 50%)sql"},
                  {R"(title !~ body)",
                   R"sql(WHERE "posts"."title" NOT LIKE ('%' || "posts"."body" || '%') ESCAPE '\')sql"},
                  {R"(title ?= 'x')", R"sql(WHERE "posts"."title" = ?1 -- x)sql"},
                  {R"(tags.name = 'x')",
                   R"sql(WHERE EXISTS (SELECT 1 FROM json_each(CASE WHEN iif(json_valid("posts"."tags"), json_type("posts"."tags")='array', FALSE) THEN "posts"."tags" ELSE json_array("posts"."tags") END) "__je_posts_tags" CROSS JOIN "tags" "posts_tags" ON "posts_tags"."id" = "__je_posts_tags"."value" WHERE "posts_tags"."name" = ?1) AND NOT EXISTS (SELECT 1 FROM (SELECT "__mm_posts_tags"."name" AS "multiMatchValue" FROM (SELECT 1) "__mm_posts" LEFT JOIN json_each(CASE WHEN iif(json_valid("posts"."tags"), json_type("posts"."tags")='array', FALSE) THEN "posts"."tags" ELSE json_array("posts"."tags") END) "__mm_posts_tags_je" LEFT JOIN "tags" "__mm_posts_tags" ON "__mm_posts_tags"."id" = "__mm_posts_tags_je"."value") "__sm" WHERE NOT ("__sm"."multiMatchValue" = ?2)) -- x | x)sql"},
                  {R"(tags.name ?= 'x')",
                   R"sql(WHERE EXISTS (SELECT 1 FROM json_each(CASE WHEN iif(json_valid("posts"."tags"), json_type("posts"."tags")='array', FALSE) THEN "posts"."tags" ELSE json_array("posts"."tags") END) "__je_posts_tags" CROSS JOIN "tags" "posts_tags" ON "posts_tags"."id" = "__je_posts_tags"."value" WHERE "posts_tags"."name" = ?1) -- x)sql"},
                  {R"(comments_via_post.message ?~ 'x')",
                   R"sql(WHERE "posts"."id" IN (SELECT "posts_comments_via_post"."post" FROM "comments" "posts_comments_via_post" WHERE "posts_comments_via_post"."message" LIKE ?1 ESCAPE '\') -- %x%)sql"},
                  {R"(likes_via_posts.id ?= 'l1')",
                   R"sql(WHERE "posts"."id" IN (SELECT "__je"."value" FROM "likes" "posts_likes_via_posts" CROSS JOIN json_each(CASE WHEN iif(json_valid("posts_likes_via_posts"."posts"), json_type("posts_likes_via_posts"."posts")='array', FALSE) THEN "posts_likes_via_posts"."posts" ELSE json_array("posts_likes_via_posts"."posts") END) "__je" WHERE "posts_likes_via_posts"."id" = ?1) -- l1)sql"},
                  {R"(author.name = 'x')",
                   R"sql(WHERE "posts"."author" IN (SELECT "posts_author"."id" FROM "users" "posts_author" WHERE "posts_author"."name" = ?1) -- x)sql"},
                  {R"(author.id = 'u1')", R"sql(WHERE "posts"."author" = ?1 -- u1)sql"},
                  {R"(parent.author.name = 'x')",
                   R"sql(WHERE "posts"."parent" IN (SELECT "posts_parent"."id" FROM "posts" "posts_parent" CROSS JOIN "users" "posts_parent_author" ON "posts_parent_author"."id" = "posts_parent"."author" WHERE "posts_parent_author"."name" = ?1) -- x)sql"},
                  {R"(editors.name ?= author.name)",
                   R"sql(LEFT JOIN json_each(CASE WHEN iif(json_valid("posts"."editors"), json_type("posts"."editors")='array', FALSE) THEN "posts"."editors" ELSE json_array("posts"."editors") END) "__je_posts_editors" LEFT JOIN "users" "posts_editors" ON "posts_editors"."id" = "__je_posts_editors"."value" LEFT JOIN "users" "posts_author" ON "posts_author"."id" = "posts"."author" WHERE COALESCE("posts_editors"."name", '') = COALESCE("posts_author"."name", ''))sql"},
                  {R"(editors.name = tags.name)",
                   R"sql(LEFT JOIN json_each(CASE WHEN iif(json_valid("posts"."editors"), json_type("posts"."editors")='array', FALSE) THEN "posts"."editors" ELSE json_array("posts"."editors") END) "__je_posts_editors" LEFT JOIN "users" "posts_editors" ON "posts_editors"."id" = "__je_posts_editors"."value" LEFT JOIN json_each(CASE WHEN iif(json_valid("posts"."tags"), json_type("posts"."tags")='array', FALSE) THEN "posts"."tags" ELSE json_array("posts"."tags") END) "__je_posts_tags" LEFT JOIN "tags" "posts_tags" ON "posts_tags"."id" = "__je_posts_tags"."value" WHERE COALESCE("posts_editors"."name", '') = COALESCE("posts_tags"."name", '') AND NOT EXISTS (SELECT 1 FROM (SELECT "__mm_posts_editors"."name" AS "multiMatchValue" FROM (SELECT 1) "__mm_posts" LEFT JOIN json_each(CASE WHEN iif(json_valid("posts"."editors"), json_type("posts"."editors")='array', FALSE) THEN "posts"."editors" ELSE json_array("posts"."editors") END) "__mm_posts_editors_je" LEFT JOIN "users" "__mm_posts_editors" ON "__mm_posts_editors"."id" = "__mm_posts_editors_je"."value") "__sm" LEFT JOIN (SELECT "__mm_posts_tags"."name" AS "multiMatchValue" FROM (SELECT 1) "__mm_posts_2" LEFT JOIN json_each(CASE WHEN iif(json_valid("posts"."tags"), json_type("posts"."tags")='array', FALSE) THEN "posts"."tags" ELSE json_array("posts"."tags") END) "__mm_posts_tags_je" LEFT JOIN "tags" "__mm_posts_tags" ON "__mm_posts_tags"."id" = "__mm_posts_tags_je"."value") "__sm_2" WHERE NOT (COALESCE("__sm"."multiMatchValue", '') = COALESCE("__sm_2"."multiMatchValue", ''))))sql"},
                  {R"(@request.auth.name = title)",
                   R"sql(WHERE (EXISTS (SELECT 1 FROM "users" "__auth_users" WHERE "__auth_users"."id" = ?1 AND COALESCE("__auth_users"."name", '') = COALESCE("posts"."title", '')) OR (COALESCE(NULL, '') = COALESCE("posts"."title", '') AND NOT EXISTS (SELECT 1 FROM "users" "__auth_users_2" WHERE "__auth_users_2"."id" = ?2))) -- u1 | u1)sql"},
                  {R"(@request.auth.id = author)", R"sql(WHERE ?1 = "posts"."author" -- u1)sql"},
                  {R"(@collection.tags.name ?= title)",
                   R"sql(WHERE (EXISTS (SELECT 1 FROM "tags" "__collection_tags" WHERE COALESCE("__collection_tags"."name", '') = COALESCE("posts"."title", '')) OR (COALESCE(NULL, '') = COALESCE("posts"."title", '') AND NOT EXISTS (SELECT 1 FROM "tags" "__collection_tags_2"))))sql"},
                  {R"(@collection.tags:t.name = title)", R"sql(WHERE (EXISTS (SELECT 1 FROM "tags" "__collection_alias_t" WHERE COALESCE("__collection_alias_t"."name", '') = COALESCE("posts"."title", '')) OR (COALESCE(NULL, '') = COALESCE("posts"."title", '') AND NOT EXISTS (SELECT 1 FROM "tags" "__collection_alias_t_2"))) AND NOT EXISTS (SELECT 1 FROM (SELECT "__mm___collection_alias_t"."name" AS "multiMatchValue" FROM (SELECT 1) "__mm_posts" LEFT JOIN "tags" "__mm___collection_alias_t") "__sm" WHERE NOT (COALESCE("__sm"."multiMatchValue", '') = COALESCE("posts"."title", ''))))sql"},
                  {R"(@request.body.author.name = 'Ann')",
                   R"sql(WHERE EXISTS (SELECT 1 FROM "users" "__data_users_author" WHERE "__data_users_author"."id" IN (?1) AND "__data_users_author"."name" = ?2) -- u1 | Ann)sql"},
                  {R"(@request.body.labels:each ?= 'a')",
                   R"sql(WHERE EXISTS (SELECT 1 FROM json_each(?2) "__dataEach_je_labels" WHERE "__dataEach_je_labels"."value" = ?1) -- a | ["a","b"])sql"},
                  {R"(@request.body.labels:length = 2)", R"sql(WHERE ?1 = ?2 -- 2 | 2)sql"},
                  {R"(@request.body.title:changed = true)",
                   R"sql(WHERE ((0 = 1 AND ('' IS NOT "posts"."title" AND "posts"."title" IS NOT NULL))) IS 1)sql"},
                  {R"(@request.query.q ~ title)",
                   R"sql(WHERE ?1 LIKE ('%' || "posts"."title" || '%') ESCAPE '\' -- hello)sql"},
                  {R"(labels:each ?~ 'a')",
                   R"sql(WHERE EXISTS (SELECT 1 FROM json_each(CASE WHEN iif(json_valid("posts"."labels"), json_type("posts"."labels")='array', FALSE) THEN "posts"."labels" ELSE json_array("posts"."labels") END) "__je_posts_labels" WHERE "__je_posts_labels"."value" LIKE ?1 ESCAPE '\') -- %a%)sql"},
                  {R"(strftime('%Y', created) = '2024')",
                   R"sql(WHERE strftime(?1, "posts"."created") = ?2 -- %Y | 2024)sql"},
                  {R"(geoDistance(loc.lon, loc.lat, 1, 2) < 5)",
                   R"sql(WHERE (6371 * acos(cos(radians((CASE WHEN json_valid("posts"."loc") THEN json_extract("posts"."loc", ?3) ELSE json_extract(json_object('pb', "posts"."loc"), ?4) END))) * cos(radians(?6)) * cos(radians(?5) - radians((CASE WHEN json_valid("posts"."loc") THEN json_extract("posts"."loc", ?1) ELSE json_extract(json_object('pb', "posts"."loc"), ?2) END))) + sin(radians((CASE WHEN json_valid("posts"."loc") THEN json_extract("posts"."loc", ?3) ELSE json_extract(json_object('pb', "posts"."loc"), ?4) END))) * sin(radians(?6)))) < ?7 -- $.lon | $.pb.lon | $.lat | $.pb.lat | 1 | 2 | 5)sql"},
              };
  RequestInfo request = ann();
  request.query["q"] = "hello";
  request.body["author"] = "u1";
  request.body["labels"] = json::array{"a", "b"};
  for (const Case& c : kCases) EXPECT_EQ(sql(c.filter, request), c.sql) << c.filter;
}

TEST_F(CompileTest, GuestsHaveNoAuthFields) {
  EXPECT_EQ(sql("@request.auth.id = author"),
            R"sql(WHERE ('' = "posts"."author" OR "posts"."author" IS NULL))sql");
  EXPECT_EQ(sql("@request.auth.name = 'x'"), R"sql(WHERE '' = ?1 -- x)sql");
  EXPECT_EQ(sql("@request.auth.id != ''"), R"sql(WHERE '' IS NOT '')sql");
}

TEST_F(CompileTest, BodyRelationWithoutIdsIsNull) {
  EXPECT_EQ(sql("@request.body.author.name = 'Ann'"), R"sql(WHERE '' = ?1 -- Ann)sql");
}

// A `!=` over single relations holds for a post without a visible parent too: the posts whose
// parent is not among the visible parents on which it fails (docs/query-compiler.md).
TEST_F(CompileTest, NotEqualOverSingleRelationsIsAnAntiJoin) {
  EXPECT_EQ(
      sql("parent.author.name != 'x'"),
      R"sql(WHERE ("posts"."parent" IS NULL OR "posts"."parent" NOT IN (SELECT "posts_parent"."id" FROM "posts" "posts_parent" LEFT JOIN "users" "posts_parent_author" ON "posts_parent_author"."id" = "posts_parent"."author" WHERE ("posts_parent_author"."name" IS NOT ?1) IS NOT 1)) -- x)sql");
  // Over a multiple relation the all-of subquery keeps the `IN ... OR NOT EXISTS` form.
  EXPECT_EQ(
      sql("parent.tags.name != 'x'"),
      R"sql(WHERE ("posts"."parent" IN (SELECT "posts_parent"."id" FROM "posts" "posts_parent" LEFT JOIN json_each(CASE WHEN iif(json_valid("posts_parent"."tags"), json_type("posts_parent"."tags")='array', FALSE) THEN "posts_parent"."tags" ELSE json_array("posts_parent"."tags") END) "__je_posts_parent_tags" LEFT JOIN "tags" "posts_parent_tags" ON "posts_parent_tags"."id" = "__je_posts_parent_tags"."value" WHERE "posts_parent_tags"."name" IS NOT ?1 AND NOT EXISTS (SELECT 1 FROM (SELECT "__mm_posts_parent_tags"."name" AS "multiMatchValue" FROM "posts" "__mm_posts_parent" LEFT JOIN json_each(CASE WHEN iif(json_valid("__mm_posts_parent"."tags"), json_type("__mm_posts_parent"."tags")='array', FALSE) THEN "__mm_posts_parent"."tags" ELSE json_array("__mm_posts_parent"."tags") END) "__mm_posts_parent_tags_je" LEFT JOIN "tags" "__mm_posts_parent_tags" ON "__mm_posts_parent_tags"."id" = "__mm_posts_parent_tags_je"."value" WHERE "__mm_posts_parent"."id" = "posts_parent"."id") "__sm" WHERE NOT ("__sm"."multiMatchValue" IS NOT ?1))) OR (NOT EXISTS (SELECT 1 FROM (SELECT "__mm_posts_parent_tags_2"."name" AS "multiMatchValue" FROM (SELECT 1) "__mm_posts" LEFT JOIN "posts" "__mm_posts_parent_2" ON "__mm_posts_parent_2"."id" = "posts"."parent" LEFT JOIN json_each(CASE WHEN iif(json_valid("__mm_posts_parent_2"."tags"), json_type("__mm_posts_parent_2"."tags")='array', FALSE) THEN "__mm_posts_parent_2"."tags" ELSE json_array("__mm_posts_parent_2"."tags") END) "__mm_posts_parent_tags_je_2" LEFT JOIN "tags" "__mm_posts_parent_tags_2" ON "__mm_posts_parent_tags_2"."id" = "__mm_posts_parent_tags_je_2"."value") "__sm_2" WHERE NOT ("__sm_2"."multiMatchValue" IS NOT ?2)) AND NOT EXISTS (SELECT 1 FROM "posts" "posts_parent_2" WHERE "posts_parent_2"."id" = "posts"."parent"))) -- x | x)sql");
}

TEST_F(CompileTest, BackRelationThroughUniqueIndexIsSingleValued) {
  EXPECT_EQ(
      sql("likes_via_user.id = 'l1'", guest(), "users"),
      R"sql(WHERE "users"."id" IN (SELECT "users_likes_via_user"."user" FROM "likes" "users_likes_via_user" WHERE "users_likes_via_user"."id" = ?1) -- l1)sql");
}

// A list request: the rule (trusted) and the client filter and sort; the collections the
// client walks into guard its joins with their list rules (docs/security.md, "Access control");
// parameters start where the caller says.
TEST_F(CompileTest, ListQueryCombinesRuleFilterSortAndListRules) {
  RequestInfo request = ann();
  auto rule = plan("posts", "author.verified = true && note.text != ''", ResolveMode::kRule);
  Ast filter_ast = parse_filter("author.name ~ 'an' && note.text ?~ 'x'");
  auto filter =
      resolve_filter(filter_ast, fixture_.context("posts", ResolveMode::kClient, false, "users"));
  auto sort = resolve_sort(parse_sort("-author.name,@rowid,@random"),
                           fixture_.context("posts", ResolveMode::kClient, false, "users"));
  QueryBuilder builder(fixture_.database().dialect(), *rule, 3);
  builder.add_filter(*rule, request, fixed_now());
  builder.add_filter(*filter, request, fixed_now());
  builder.add_sort(*sort, request, fixed_now());
  CompiledQuery q = std::move(builder).finish();
  // The rule's paths (trusted) and the client's (guarded by the joined collection's listRule)
  // are kept apart. Each becomes a semi-join from the record's relation column; a record
  // without a visible author or note cannot match any of these conditions (NULL = 1, NULL
  // LIKE ..., NULL IS NOT NULL), so no branch for it is printed. The sort's join stays in FROM
  // with its guard in the ON clause; it is single-valued, so nothing is DISTINCT.
  ASSERT_EQ(q.joins.size(), 1u);
  EXPECT_EQ(
      q.joins[0],
      R"sql(LEFT JOIN "users" "posts_author" ON "posts_author"."id" = "posts"."author" AND EXISTS (SELECT 1 FROM "users" "__rule_users" WHERE "__rule_users"."id" = "posts_author"."id" AND "__rule_users"."id" = ?3))sql");
  EXPECT_EQ(
      q.where,
      R"sql("posts"."author" IN (SELECT "posts_author_2"."id" FROM "users" "posts_author_2" WHERE "posts_author_2"."verified" = 1) AND "posts"."note" IN (SELECT "posts_note"."id" FROM "notes" "posts_note" WHERE "posts_note"."text" IS NOT '' AND "posts_note"."text" IS NOT NULL) AND "posts"."author" IN (SELECT "posts_author_3"."id" FROM "users" "posts_author_3" WHERE EXISTS (SELECT 1 FROM "users" "__rule_users_2" WHERE "__rule_users_2"."id" = "posts_author_3"."id" AND "__rule_users_2"."id" = ?4) AND "posts_author_3"."name" LIKE ?5 ESCAPE '\') AND "posts"."note" IN (SELECT "posts_note_2"."id" FROM "notes" "posts_note_2" WHERE EXISTS (SELECT 1 FROM "notes" "__rule_notes" WHERE "__rule_notes"."id" = "posts_note_2"."id" AND "__rule_notes"."owner" = ?6) AND "posts_note_2"."text" LIKE ?7 ESCAPE '\'))sql");
  EXPECT_EQ(params_text(q.params), "u1 | u1 | %an% | u1 | %x%");
  EXPECT_EQ(q.next_placeholder, 8u);
  EXPECT_EQ(q.order_by, R"sql("posts_author"."name" DESC, "posts"._rowid_ ASC, RANDOM())sql");
  EXPECT_FALSE(q.distinct);
  EXPECT_EQ(q.select_sql("\"posts\".*").substr(0, 31), R"sql(SELECT "posts".* FROM "posts" L)sql");
  EXPECT_EQ(q.count_sql().substr(0, 38), R"sql(SELECT COUNT(*) FROM "posts" LEFT JOIN)sql");
  EXPECT_EQ(q.count_sql().find("ORDER BY"), std::string::npos);
  EXPECT_EQ(q.count_param_count, 5u);

  // Against the database: the guest and the signed-in user see different rows.
  fixture_.insert("users", R"({"id":"u1","email":"ann@x.io","name":"Ann","verified":true})");
  fixture_.insert("notes", R"({"id":"n1","text":"xyz","owner":"u1"})");
  fixture_.insert("posts", R"({"id":"p1","author":"u1","note":"n1"})");
  fixture_.insert("posts", R"({"id":"p2","author":"u1"})");  // no note to match 'x'
  // The caller binds ?1 and ?2 itself.
  q.params.insert(q.params.begin(), {db::Value("unused"), db::Value("unused")});
  EXPECT_EQ(fixture_.ids(q), std::vector<std::string>{"p1"});
}

// ORDER BY binds last, so the COUNT statement (without it) binds a prefix of the params.
TEST_F(CompileTest, CountBindsTheParamsBeforeOrderBy) {
  RequestInfo request;
  auto sort = resolve_sort(parse_sort("meta.a,-author.name"),
                           fixture_.context("posts", ResolveMode::kRule));
  auto filter = plan("posts", "title = 'x'");
  QueryBuilder builder(fixture_.database().dialect(), *filter);
  builder.add_sort(*sort, request, fixed_now());
  builder.add_filter(*filter, request, fixed_now());
  CompiledQuery q = std::move(builder).finish();
  EXPECT_EQ(q.where, R"sql("posts"."title" = ?1)sql");
  EXPECT_EQ(q.joins.size(), 1u);
  EXPECT_EQ(params_text(q.params), "x | $.a | $.pb.a");
  EXPECT_EQ(params_text(q.count_params()), "x");
  fixture_.insert("posts", R"({"id":"p1","title":"x"})");
  auto count = db::testing::sync_wait(fixture_.database().query(q.count_sql(), q.count_params()));
  EXPECT_EQ(count[0].as_int(0), 1);
  EXPECT_EQ(fixture_.ids(q), std::vector<std::string>{"p1"});
}

// The all-of subquery of a path that starts on the record reads the record's own row: no second
// lookup by id (docs/query-compiler.md, "All-of subqueries"). Exact on every kind of array.
TEST_F(CompileTest, AllOfSubqueryReadsTheRecordsOwnRow) {
  auto rule = plan("posts", "labels:each != 'a'");
  QueryBuilder builder(fixture_.database().dialect(), *rule);
  builder.add_filter(*rule, RequestInfo{}, fixed_now());
  CompiledQuery q = std::move(builder).finish();
  EXPECT_EQ(
      q.count_sql(),
      R"sql(SELECT COUNT(*) FROM "posts" WHERE (EXISTS (SELECT 1 FROM json_each(CASE WHEN iif(json_valid("posts"."labels"), json_type("posts"."labels")='array', FALSE) THEN "posts"."labels" ELSE json_array("posts"."labels") END) "__je_posts_labels" WHERE "__je_posts_labels"."value" IS NOT ?1) OR (NOT EXISTS (SELECT 1 FROM json_each(CASE WHEN iif(json_valid("posts"."labels"), json_type("posts"."labels")='array', FALSE) THEN "posts"."labels" ELSE json_array("posts"."labels") END) "__je_posts_labels_2"))) AND NOT EXISTS (SELECT 1 FROM (SELECT "__je___mm_posts_labels"."value" AS "multiMatchValue" FROM (SELECT 1) "__mm_posts" LEFT JOIN json_each(CASE WHEN iif(json_valid("posts"."labels"), json_type("posts"."labels")='array', FALSE) THEN "posts"."labels" ELSE json_array("posts"."labels") END) "__je___mm_posts_labels") "__sm" WHERE NOT ("__sm"."multiMatchValue" IS NOT ?2)))sql");

  // An empty array is one NULL value (which `IS NOT 'a'` lets through), a non-array one value.
  fixture_.insert("posts", R"({"id":"p1","labels":["b","c"]})");
  fixture_.insert("posts", R"({"id":"p2","labels":["a","b"]})");
  fixture_.insert("posts", R"({"id":"p3","labels":[]})");
  fixture_.insert("posts", R"({"id":"p4","labels":["a"]})");
  fixture_.insert("posts", R"({"id":"p5","labels":["c"]})");
  EXPECT_EQ(fixture_.ids(q), (std::vector<std::string>{"p1", "p3", "p5"}));
  auto count = db::testing::sync_wait(fixture_.database().query(q.count_sql(), q.count_params()));
  EXPECT_EQ(count[0].as_int(0), 3);

  // SQLite's plan: the subquery scans the constant row and the array, never the posts.
  auto steps = db::testing::sync_wait(
      fixture_.database().query("EXPLAIN QUERY PLAN " + q.count_sql(), q.count_params()));
  std::string plan_text;
  for (auto step : steps) plan_text += std::string(step.as_text(3)) + "\n";
  EXPECT_NE(plan_text.find("CORRELATED"), std::string::npos) << plan_text;
  EXPECT_EQ(plan_text.find("__mm_posts USING"), std::string::npos) << plan_text;
  EXPECT_EQ(plan_text.find("SEARCH posts"), std::string::npos) << plan_text;
}

TEST_F(CompileTest, SuperuserClientFiltersSkipListRules) {
  Ast ast = parse_filter("note.text ~ 'x' && secret = 's'");
  auto filter =
      resolve_filter(ast, fixture_.context("posts", ResolveMode::kClient, true, "_superusers"));
  EXPECT_TRUE(filter->list_rules().empty());
}

// An all-of subquery guards its joins as the main query does, in their ON clauses: a note Ann
// cannot list becomes the LEFT JOIN's NULL row, as a missing note would, instead of a dropped
// row (which would tell "only hidden notes" apart from "no notes").
TEST_F(CompileTest, AllOfSubqueryGuardsItsJoinsInTheirOnClauses) {
  Ast ast = parse_filter("notes_via_owner.text != 'x'");
  auto filter =
      resolve_filter(ast, fixture_.context("users", ResolveMode::kClient, false, "users"));
  CompiledQuery q = compile_filter(fixture_.database().dialect(), *filter, ann(), fixed_now());
  std::string all_of = q.where.substr(q.where.find("NOT EXISTS (SELECT 1 FROM (SELECT"));
  EXPECT_EQ(
      all_of,
      R"sql(NOT EXISTS (SELECT 1 FROM (SELECT "__mm_users_notes_via_owner"."text" AS "multiMatchValue" FROM (SELECT 1) "__mm_users" LEFT JOIN "notes" "__mm_users_notes_via_owner" ON "__mm_users_notes_via_owner"."owner" = "users"."id" AND EXISTS (SELECT 1 FROM "notes" "__rule_notes_3" WHERE "__rule_notes_3"."id" = "__mm_users_notes_via_owner"."id" AND "__rule_notes_3"."owner" = ?4)) "__sm" WHERE NOT ("__sm"."multiMatchValue" IS NOT ?5)))sql");
}

TEST_F(CompileTest, ClientFiltersSeeOnlyVisibleEmails) {
  Ast ast = parse_filter("email = 'ann@x.io'");
  auto filter = resolve_filter(ast, fixture_.context("users", ResolveMode::kClient));
  CompiledQuery q = compile_filter(fixture_.database().dialect(), *filter, guest(), fixed_now());
  EXPECT_EQ(q.where, R"sql("users"."email" = ?1 AND "users"."emailVisibility" = 1)sql");
  // A rule may look at any email.
  EXPECT_EQ(sql("email = 'ann@x.io'", guest(), "users"),
            R"sql(WHERE "users"."email" = ?1 -- ann@x.io)sql");
}

TEST_F(CompileTest, MacrosBindTheirValueAtNow) {
  EXPECT_EQ(
      sql("created > @yesterday && created < @todayEnd && @weekday = 5 && @month = 5"),
      R"sql(WHERE "posts"."created" > ?1 AND "posts"."created" < ?2 AND ?3 = ?4 AND ?5 = ?6 -- 2024-05-16 10:20:30.456Z | 2024-05-17 23:59:59.999Z | 5 | 5 | 5 | 5)sql");
  EXPECT_EQ(
      sql("@monthStart < @monthEnd && @yearStart < @yearEnd && @todayStart < @tomorrow"),
      R"sql(WHERE ?1 < ?2 AND ?3 < ?4 AND ?5 < ?6 -- 2024-05-01 00:00:00.000Z | 2024-05-31 23:59:59.999Z | 2024-01-01 00:00:00.000Z | 2024-12-31 23:59:59.999Z | 2024-05-17 00:00:00.000Z | 2024-05-18 10:20:30.456Z)sql");
}

}  // namespace
}  // namespace basalt::query
