// GraphqlService against a real SQLite database: the schema each caller class gets, its cache
// across collection changes, one SQL statement per root field however deep the selection, rules
// at every level, and field errors.
#include "basalt/graphql/graphql_service.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <tuple>
#include <vector>

#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/graphql/testing/service_fixture.hpp"
#include "basalt/graphql/where_filter.hpp"
#include "basalt/records/record_service.hpp"

namespace basalt::graphql {
namespace {

namespace json = boost::json;
using db::testing::sync_wait;

class GraphqlServiceTest : public ::testing::Test, public testing::ServiceFixture {
 protected:
  GraphqlServiceTest() {}

  void make_blog() {
    collection(R"js({"name": "posts", "listRule": "published = true || author = @request.auth.id",
      "viewRule": "published = true || author = @request.auth.id",
      "fields": [{"name": "title", "type": "text"}, {"name": "published", "type": "bool"},
                 {"name": "views", "type": "number", "onlyInt": true},
                 {"name": "secret", "type": "text", "hidden": true},
                 {"name": "author", "type": "relation", "collectionId": "_pb_users_auth_",
                  "maxSelect": 1}]})js");
    collection(R"js({"name": "comments", "listRule": "", "viewRule": "post.published = true",
      "fields": [{"name": "body", "type": "text"},
                 {"name": "post", "type": "relation", "collectionId": ")js" +
               catalog()->find("posts")->id + R"js(", "maxSelect": 1}]})js");
    collection(
        R"js({"name": "vault", "viewRule": "", "fields": [{"name": "code", "type": "text"}]})js");
    sync_wait(collections_->update("users", json::parse(R"({"listRule": "", "viewRule": ""})")));
    ann_ = create(
        "users",
        R"({"email":"ann@x.io","name":"Ann","password":"secret123","passwordConfirm":"secret123"})");
    bob_ = create(
        "users",
        R"({"email":"bob@x.io","name":"Bob","password":"secret123","passwordConfirm":"secret123"})");
    const std::string open =
        create("posts", R"({"title":"open","published":true,"views":3,"secret":"s1","author":")" +
                            ann_ + "\"}");
    const std::string draft = create(
        "posts", R"({"title":"draft","published":false,"views":5,"author":")" + ann_ + "\"}");
    create("comments", R"({"body":"hello","post":")" + open + "\"}");
    create("comments", R"({"body":"psst","post":")" + draft + "\"}");
  }

  void collection(const std::string& definition) { create_collection(definition); }
  std::shared_ptr<const collections::Catalog> catalog() { return collections_->catalog(); }

  std::string create(std::string_view name, const std::string& body) {
    return create_record(name, body);
  }

  // The answer's JSON for `caller_id` (a users record id; "" for a guest, "su" for a superuser).
  json::value ask(std::string_view query, const std::string& caller_id = "") {
    catalog_ = catalog();
    records::Caller caller;
    json::object user{{"id", caller_id}};
    if (caller_id == "su") {
      caller = {catalog_->find("_superusers"), &superuser_record_};
    } else if (!caller_id.empty()) {
      caller = {catalog_->find("users"), &user};
    }
    GraphqlRequest request;
    request.document = query;
    GraphqlAnswer answer = sync_wait(service_->execute(caller, request, {}, RequestPolicy{}));
    return json::parse(answer.body);
  }

  std::shared_ptr<const collections::Catalog> catalog_;
  std::string ann_;
  std::string bob_;
};

TEST_F(GraphqlServiceTest, AThreeLevelNestedQueryIsOneStatementOnTheReadPool) {
  make_blog();
  const json::value answer =
      ask("{ users(order_by: [{name: asc}], limit: 10) { name posts_via_author(limit: 10) { title "
          "comments_via_post { body post { title author { name } } } } } }",
          ann_);
  EXPECT_EQ(log_->reads.size(), 1u);
  EXPECT_EQ(log_->pooled_reads, 1);
  EXPECT_EQ(
      json::serialize(answer),
      R"({"data":{"users":[{"name":"Ann","posts_via_author":[)"
      R"({"title":"open","comments_via_post":[{"body":"hello","post":{"title":"open","author":{"name":"Ann"}}}]},)"
      // The draft is Ann's (the posts rule lets her see it); its comment's view rule
      // needs a published post, so the back-relation holds nothing.
      R"({"title":"draft","comments_via_post":[]}]},)"
      R"({"name":"Bob","posts_via_author":[]}]}})");
  // Every level reads its own alias; the statement is a single SELECT.
  const std::string& sql = log_->reads.front();
  // The rules of the levels below are CTEs in front of it, checked by a correlated EXISTS.
  EXPECT_TRUE(sql.starts_with("WITH \"__gqv0\" AS (SELECT \"posts\".\"id\" FROM")) << sql;
  EXPECT_NE(sql.find(") SELECT json_object("), std::string::npos) << sql;
  EXPECT_NE(sql.find("EXISTS (SELECT 1 FROM \"__gqv"), std::string::npos) << sql;
  EXPECT_EQ(sql.find(';'), std::string::npos);
  EXPECT_NE(sql.find("json_group_array"), std::string::npos);
}

TEST_F(GraphqlServiceTest, EachRootFieldIsOneStatementAndRulesHideRecords) {
  make_blog();
  const json::value guest =
      ask("{ a: posts { title } b: posts_aggregate { aggregate { count } } }");
  EXPECT_EQ(json::serialize(guest),
            R"({"data":{"a":[{"title":"open"}],"b":{"aggregate":{"count":1}}}})");
  EXPECT_EQ(log_->reads.size(), 2u);
  EXPECT_EQ(json::serialize(ask("{ posts(order_by: [{title: asc}]) { title secret } }", "su")),
            R"({"data":{"posts":[{"title":"draft","secret":""},{"title":"open","secret":"s1"}]}})");
}

TEST_F(GraphqlServiceTest, APointReadRunsInlineAndFanOutsAreBoundedBeforeRunning) {
  make_blog();
  const std::string query = "{ users_by_pk(id: \"" + ann_ + "\") { name } }";
  EXPECT_EQ(json::serialize(ask(query)), R"({"data":{"users_by_pk":{"name":"Ann"}}})");
  EXPECT_EQ(log_->reads.size(), 1u);
  EXPECT_EQ(log_->pooled_reads, 0);
  const json::value fan_out = ask("{ users { posts_via_author { comments_via_post { id } } } }");
  EXPECT_EQ(fan_out.at("errors").at(0).at("extensions").at("code"), "limit-exceeded");
  EXPECT_EQ(log_->reads.size(), 1u);  // refused before it ran
}

TEST_F(GraphqlServiceTest, ARelationsIdIsReadFromItsColumnTheRecordUnderItsViewRule) {
  make_blog();
  sync_wait(collections_->update("users", json::parse(R"({"viewRule": "id = @request.auth.id"})")));
  const std::string query = "{ posts { author { id __typename } full: author { id name } } }";
  EXPECT_EQ(json::serialize(ask(query)), R"({"data":{"posts":[{"author":{"id":")" + ann_ +
                                             R"(","__typename":"users"},"full":null}]}})");
  EXPECT_EQ(json::serialize(ask(query, ann_)),
            R"({"data":{"posts":[{"author":{"id":")" + ann_ +
                R"(","__typename":"users"},"full":{"id":")" + ann_ +
                R"(","name":"Ann"}},{"author":{"id":")" + ann_ +
                R"(","__typename":"users"},"full":{"id":")" + ann_ + R"(","name":"Ann"}}]}})");
}

TEST_F(GraphqlServiceTest, AUniqueBackRelationIsAnObject) {
  make_blog();
  collection(R"js({"name": "profiles", "listRule": "", "viewRule": "",
    "fields": [{"name": "bio", "type": "text"},
               {"name": "user", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1}],
    "indexes": ["CREATE UNIQUE INDEX idx_profiles_user ON profiles (user)"]})js");
  create("profiles", R"({"bio":"hi","user":")" + ann_ + "\"}");
  const auto schema = service_->schema_for(CallerClass::kGuest);
  EXPECT_EQ(schema->schema.find_type("users")->find_field("profiles_via_user")->type.to_string(),
            "profiles");
  EXPECT_EQ(
      json::serialize(ask("{ users(order_by: [{name: asc}]) { name profiles_via_user { bio } } }")),
      R"({"data":{"users":[{"name":"Ann","profiles_via_user":{"bio":"hi"}},)"
      R"({"name":"Bob","profiles_via_user":null}]}})");
}

TEST_F(GraphqlServiceTest, SelfRelationsReadEachLevelOnItsOwn) {
  collection(R"js({"name": "nodes", "listRule": "", "viewRule": "name != 'hidden'",
    "fields": [{"name": "name", "type": "text"}]})js");
  const std::string nodes_id = catalog()->find("nodes")->id;
  sync_wait(
      collections_->update("nodes", json::parse(R"js({"fields": [{"name": "name", "type": "text"},
    {"name": "parent", "type": "relation", "collectionId": ")js" +
                                                nodes_id + R"js(", "maxSelect": 1}]})js")));
  const std::string root = create("nodes", R"({"name":"root"})");
  create("nodes", R"({"name":"child","parent":")" + root + "\"}");
  create("nodes", R"({"name":"hidden","parent":")" + root + "\"}");
  EXPECT_EQ(
      json::serialize(ask("{ nodes(order_by: [{name: asc}], where: {name: {_neq: \"hidden\"}}) "
                          "{ name parent { name } nodes_via_parent(limit: 10) { name } } }")),
      R"({"data":{"nodes":[{"name":"child","parent":{"name":"root"},"nodes_via_parent":[]},)"
      R"({"name":"root","parent":null,"nodes_via_parent":[{"name":"child"}]}]}})");
}

TEST_F(GraphqlServiceTest, ViewCollectionsAndWideObjectsAreAnswered) {
  make_blog();
  collection(R"js({"name": "titles", "type": "view", "listRule": "",
    "viewQuery": "SELECT id, title FROM posts WHERE published = true"})js");
  EXPECT_EQ(json::serialize(ask("{ titles { title } }")),
            R"({"data":{"titles":[{"title":"open"}]}})");
  // 70 keys: more than one json_object call takes (built in chunks, in selection order).
  std::string query = "{ posts { ";
  std::string expected = R"({"data":{"posts":[{)";
  for (int i = 0; i < 70; ++i) {
    query += "k" + std::to_string(i) + ": title ";
    expected += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":\"open\"";
  }
  EXPECT_EQ(json::serialize(ask(query + "} }")), expected + "}]}}");
}

TEST_F(GraphqlServiceTest, EachCallerClassSeesOnlyWhatItCouldReach) {
  make_blog();
  const auto guest = service_->schema_for(CallerClass::kGuest);
  const auto user = service_->schema_for(CallerClass::kUser);
  const auto superuser = service_->schema_for(CallerClass::kSuperuser);
  const TypeDef* guest_query = guest->schema.root(OperationType::kQuery);
  // vault: listRule null, viewRule "": _by_pk only.
  EXPECT_EQ(guest_query->find_field("vault"), nullptr);
  EXPECT_EQ(guest_query->find_field("vault_aggregate"), nullptr);
  EXPECT_NE(guest_query->find_field("vault_by_pk"), nullptr);
  EXPECT_EQ(guest_query->find_field("_superusers"), nullptr);
  EXPECT_NE(superuser->schema.root(OperationType::kQuery)->find_field("_superusers"), nullptr);
  // Hidden fields for superusers only; password and tokenKey for nobody.
  EXPECT_EQ(user->schema.find_type("posts")->find_field("secret"), nullptr);
  EXPECT_NE(superuser->schema.find_type("posts")->find_field("secret"), nullptr);
  for (const auto* generated : {guest.get(), superuser.get()}) {
    const TypeDef* users = generated->schema.find_type("users");
    EXPECT_EQ(users->find_field("password"), nullptr);
    EXPECT_EQ(users->find_field("tokenKey"), nullptr);
    EXPECT_NE(users->find_field("posts_via_author"), nullptr);
  }
  // The mapping of field types.
  const TypeDef* posts = guest->schema.find_type("posts");
  EXPECT_EQ(posts->find_field("views")->type.to_string(), "Int");
  EXPECT_EQ(posts->find_field("published")->type.to_string(), "Boolean");
  EXPECT_EQ(posts->find_field("author")->type.to_string(), "users");
  EXPECT_EQ(posts->find_field("id")->type.to_string(), "String!");
  EXPECT_NE(guest->schema.find_type("posts_bool_exp")->find_input_field("author"), nullptr);
}

TEST_F(GraphqlServiceTest, SchemasAreCachedUntilTheCatalogChanges) {
  make_blog();
  const auto before = service_->schema_for(CallerClass::kGuest);
  EXPECT_EQ(service_->schema_for(CallerClass::kGuest), before);
  collection(
      R"js({"name": "notes", "listRule": "", "fields": [{"name": "text", "type": "text"}]})js");
  const auto after = service_->schema_for(CallerClass::kGuest);
  EXPECT_NE(after, before);
  EXPECT_NE(after->schema.find_type("notes"), nullptr);
  // The old one stays whole for the requests that still hold it.
  EXPECT_EQ(before->schema.find_type("notes"), nullptr);
  EXPECT_NE(before->catalog->find("posts"), nullptr);
}

TEST_F(GraphqlServiceTest, FieldErrorsHaveAPathAndACodeAndANonNullFieldNullsTheData) {
  make_blog();
  const json::value answer =
      ask("query {\n  vault_by_pk(id: \"x\") { code }\n  posts(limit: 1001) { id }\n}");
  EXPECT_EQ(
      json::serialize(answer),
      R"({"errors":[{"message":"limit must be at most 1000.","locations":[{"line":3,"column":3}],)"
      R"("path":["posts"],"extensions":{"code":"limit-exceeded"}}],"data":null})");
  const json::value request_error = ask("{ posts { nope } }");
  EXPECT_FALSE(request_error.as_object().contains("data"));
}

TEST_F(GraphqlServiceTest, WherePushesNotDownToTheComparisons) {
  make_blog();
  const auto snapshot = catalog();
  const json::value where = json::parse(
      R"({"_not": {"_or": [{"title": {"_eq": "a"}}, {"views": {"_in": [1, 2]}}]},
          "author": {"name": {"_like": "an"}}})");
  const auto ast = where_to_ast(where.as_object(), *snapshot->find("posts"), *snapshot);
  ASSERT_TRUE(ast.has_value());
  EXPECT_EQ(query::to_string(*ast),
            R"((and (and (!= title "a") (and (!= views 1) (!= views 2))) (~ author.name "an")))");
  EXPECT_FALSE(where_to_ast(json::object{}, *snapshot->find("posts"), *snapshot).has_value());
}

TEST_F(GraphqlServiceTest, WhereReachesBackRelationsUnderTheirListRule) {
  make_blog();
  const auto snapshot = catalog();
  const json::value where = json::parse(R"({"posts_via_author": {"title": {"_eq": "draft"}}})");
  const auto ast = where_to_ast(where.as_object(), *snapshot->find("users"), *snapshot);
  ASSERT_TRUE(ast.has_value());
  EXPECT_EQ(query::to_string(*ast), R"((?= posts_via_author.title "draft"))");
  const json::value negated =
      json::parse(R"({"_not": {"posts_via_author": {"title": {"_eq": "draft"}}}})");
  const auto all_of = where_to_ast(negated.as_object(), *snapshot->find("users"), *snapshot);
  ASSERT_TRUE(all_of.has_value());
  EXPECT_EQ(query::to_string(*all_of), R"((!= posts_via_author.title "draft"))");

  // The draft is hidden from guests by the posts listRule: it reads as no row.
  const std::string drafts =
      R"({ users(where: {posts_via_author: {title: {_eq: "draft"}}}) { name } })";
  EXPECT_EQ(json::serialize(ask(drafts)), R"({"data":{"users":[]}})");
  EXPECT_EQ(json::serialize(ask(drafts, ann_)), R"({"data":{"users":[{"name":"Ann"}]}})");
  EXPECT_EQ(json::serialize(
                ask(R"({ users(where: {posts_via_author: {title: {_eq: "open"}}}) { name } })")),
            R"({"data":{"users":[{"name":"Ann"}]}})");
  // Nested: users with a post that has a comment saying "hello".
  EXPECT_EQ(json::serialize(ask(R"({ users(where: {posts_via_author: )"
                                R"({comments_via_post: {body: {_eq: "hello"}}}}) { name } })")),
            R"({"data":{"users":[{"name":"Ann"}]}})");
  // A hidden field is not in a guest's posts_bool_exp, even through a back-relation.
  const json::value hidden =
      ask(R"({ users(where: {posts_via_author: {secret: {_eq: "s1"}}}) { name } })");
  EXPECT_FALSE(hidden.as_object().contains("data"));
  EXPECT_EQ(json::serialize(ask(R"({ users(where: {posts_via_author: {secret: {_eq: "s1"}}}) )"
                                R"({ name } })",
                                "su")),
            R"({"data":{"users":[{"name":"Ann"}]}})");
}

TEST_F(GraphqlServiceTest, JsonAndGeoPointFieldsCompareAsRestFiltersDo) {
  collection(R"js({"name": "places", "listRule": "",
    "fields": [{"name": "name", "type": "text"}, {"name": "data", "type": "json"},
               {"name": "loc", "type": "geoPoint"}]})js");
  create("places", R"({"name":"a","data":{"k":1},"loc":{"lon":10,"lat":20}})");
  create("places", R"({"name":"b","data":"text","loc":{"lon":-5,"lat":40}})");
  create("places", R"({"name":"c","data":5,"loc":{"lon":-7,"lat":10}})");
  create("places", R"({"name":"d","data":null})");
  const auto snapshot = catalog();
  const json::value where =
      json::parse(R"({"data": {"_eq": "text"}, "loc": {"lon": {"_gt": 0}, "lat": {"_lte": 5}}})");
  const auto ast = where_to_ast(where.as_object(), *snapshot->find("places"), *snapshot);
  ASSERT_TRUE(ast.has_value());
  EXPECT_EQ(query::to_string(*ast), R"((and (= data "text") (and (> loc.lon 0) (<= loc.lat 5))))");

  auto names = [this](std::string_view where_text) {
    const json::value answer = ask("{ places(where: " + std::string(where_text) + ") { name } }");
    std::string out;
    for (const json::value& row : answer.at("data").at("places").as_array()) {
      out += std::string(row.at("name").as_string());
    }
    return out;
  };
  EXPECT_EQ(names(R"({data: {_eq: "text"}})"), "b");
  EXPECT_EQ(names(R"({data: {_eq: 5}})"), "c");
  EXPECT_EQ(names(R"({data: {_in: [5, "text"]}})"), "bc");
  EXPECT_EQ(names(R"({data: {_is_null: true}})"), "d");
  EXPECT_EQ(names(R"({data: {_like: "ex"}})"), "b");
  EXPECT_EQ(names(R"({loc: {lon: {_gt: 0}}})"), "a");
  EXPECT_EQ(names(R"({loc: {lat: {_gte: 30}, lon: {_lt: 0}}})"), "b");
  EXPECT_EQ(names(R"({_not: {loc: {lon: {_lt: 0}}}})"), "ad");
  // An object operand has no REST literal: a field error, nothing read.
  const json::value refused = ask(R"({ places(where: {data: {_eq: {k: 1}}}) { name } })");
  EXPECT_EQ(refused.at("errors").at(0).at("extensions").at("code"), "validation-failed");
}

TEST_F(GraphqlServiceTest, JsonPathsAndGeoDistanceSelectWhatTheSameRestFilterSelects) {
  collection(R"js({"name": "places", "listRule": "",
    "fields": [{"name": "name", "type": "text"}, {"name": "data", "type": "json"},
               {"name": "loc", "type": "geoPoint"}]})js");
  create("places", R"({"name":"a","data":{"k":1,"tags":["x","y"],"in":{"deep":"very"}},)"
                   R"("loc":{"lon":10,"lat":20}})");
  create("places", R"({"name":"b","data":"text","loc":{"lon":-5,"lat":40}})");
  create("places", R"({"name":"c","data":{"k":5,"tags":["z"]},"loc":{"lon":10.01,"lat":20.01}})");
  create("places", R"({"name":"d","data":null})");
  const auto snapshot = catalog();
  const json::value where = json::parse(
      R"({"data": {"_path": "in.deep", "_eq": "very"},
          "loc": {"_distance": {"lon": 10, "lat": 20, "_lt": 5}}})");
  const auto ast = where_to_ast(where.as_object(), *snapshot->find("places"), *snapshot);
  ASSERT_TRUE(ast.has_value());
  EXPECT_EQ(query::to_string(*ast),
            R"((and (= data.in.deep "very") (< (geoDistance loc.lon loc.lat 10 20) 5)))");

  auto sorted_names = [](std::vector<std::string> names) {
    std::sort(names.begin(), names.end());
    std::string out;
    for (const std::string& name : names) out += name;
    return out;
  };
  auto graphql_names = [&](std::string_view where_text) {
    const json::value answer = ask("{ places(where: " + std::string(where_text) + ") { name } }");
    std::vector<std::string> names;
    for (const json::value& row : answer.at("data").at("places").as_array()) {
      names.emplace_back(row.at("name").as_string());
    }
    return sorted_names(std::move(names));
  };
  auto rest_names = [&](std::string filter) {
    records::ListOptions options;
    options.filter = std::move(filter);
    const records::RecordPage page =
        db::testing::sync_wait(records_->list(records::Caller{}, "places", options, {}));
    std::vector<std::string> names;
    for (const auto& item : page.items) names.emplace_back(item.values.at("name").as_string());
    return sorted_names(std::move(names));
  };
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {R"({data: {_path: "k", _eq: 1}})", "data.k = 1", "a"},
      {R"({data: {_path: "k", _gt: 2}})", "data.k > 2", "c"},
      {R"({data: {_path: "tags.0", _eq: "z"}})", R"(data.tags.0 = "z")", "c"},
      {R"({data: {_path: "in.deep", _like: "er"}})", R"(data.in.deep ~ "er")", "a"},
      {R"({data: {_path: "k", _in: [1, 5]}})", "data.k = 1 || data.k = 5", "ac"},
      {R"({data: {_path: "k", _is_null: true}})", "data.k = null", "bd"},
      {R"({_not: {data: {_path: "k", _eq: 1}}})", "data.k != 1", "bcd"},
      {R"({data: {_path: null, _eq: "text"}})", R"(data = "text")", "b"},
      {R"({loc: {_distance: {lon: 10, lat: 20, _lt: 5}}})",
       "geoDistance(loc.lon, loc.lat, 10, 20) < 5", "ac"},
      {R"({loc: {_distance: {lon: 10, lat: 20, _gte: 0.5, _lte: 5}}})",
       "geoDistance(loc.lon, loc.lat, 10, 20) >= 0.5 && geoDistance(loc.lon, loc.lat, 10, 20) <= 5",
       "c"},
      {R"({_not: {loc: {_distance: {lon: 10, lat: 20, _lt: 5}}}})",
       "geoDistance(loc.lon, loc.lat, 10, 20) >= 5", "bd"},
  };
  for (const auto& [where_text, filter, expected] : cases) {
    EXPECT_EQ(graphql_names(where_text), expected) << where_text;
    EXPECT_EQ(rest_names(filter), expected) << filter;
  }

  // A path that is not REST's: a field error, nothing read.
  for (const char* bad : {R"("a..b")", R"("")", R"("a b")", R"("a.$")", R"(".a")"}) {
    const json::value refused =
        ask(std::string(R"({ places(where: {data: {_path: )") + bad + R"(, _eq: 1}}) { name } })");
    EXPECT_EQ(refused.at("errors").at(0).at("extensions").at("code"), "validation-failed") << bad;
  }
  const json::value too_long =
      ask(R"({ places(where: {data: {_path: ")" + std::string(kMaxJsonPathBytes + 1, 'a') +
          R"(", _eq: 1}}) { name } })");
  EXPECT_EQ(too_long.at("errors").at(0).at("extensions").at("code"), "validation-failed");
  // The point to measure from is required.
  const json::value no_point = ask(R"({ places(where: {loc: {_distance: {_lt: 5}}}) { name } })");
  EXPECT_FALSE(no_point.as_object().contains("data"));
}

TEST_F(GraphqlServiceTest, OrderByCountsTheBackRelationsTheCallerMayView) {
  make_blog();
  const std::string cy = create(
      "users",
      R"({"email":"cy@x.io","name":"Cy","password":"secret123","passwordConfirm":"secret123"})");
  // Cy has one published post; Ann one published and one draft; Bob none.
  create("posts", R"({"title":"cy's","published":true,"author":")" + cy + "\"}");
  const std::string query =
      "{ users(order_by: [{posts_via_author_aggregate: {count: desc}}, {name: desc}]) { name } }";
  const std::size_t before = log_->reads.size();
  // A guest sees one post of each of Ann and Cy (Ann's draft is not counted): the name breaks
  // the tie, descending.
  EXPECT_EQ(json::serialize(ask(query)),
            R"({"data":{"users":[{"name":"Cy"},{"name":"Ann"},{"name":"Bob"}]}})");
  EXPECT_EQ(log_->reads.size() - before, 1U);
  // A superuser counts Ann's draft too; ascending puts Bob first.
  EXPECT_EQ(json::serialize(ask("{ users(order_by: [{posts_via_author_aggregate: {count: asc}}, "
                                "{name: desc}]) { name } }",
                                "su")),
            R"({"data":{"users":[{"name":"Bob"},{"name":"Cy"},{"name":"Ann"}]}})");
}

}  // namespace
}  // namespace basalt::graphql
