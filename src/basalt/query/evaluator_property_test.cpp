// Property test: for random filters over random records, the in-memory evaluator and SQLite
// (running the SQL compiled from the same plan) select exactly the same records.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "basalt/query/evaluator.hpp"
#include "basalt/query/parse_error.hpp"
#include "basalt/query/parser.hpp"
#include "basalt/query/query_builder.hpp"
#include "basalt/query/resolve_error.hpp"
#include "basalt/query/resolver.hpp"
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
constexpr unsigned kSeed = 20240517;
constexpr int kExpressions = 4000;

constexpr int kRecords = 48;

const char* const kTexts[] = {"",     "a",   "A",    "abc",  "ABC",   "5",     "5.0",   " 12 ",
                              "12",   "a%b", "a_b",  "x\\y", "héllo", "HÉLLO", "[1,2]", "null",
                              "true", "0",   "-3.5", "1e3",  "b",     "c",     "%",     "_"};
const char* const kSelects[] = {"a", "b", "c"};

json::value random_json(std::mt19937& rng, int depth) {
  switch (std::uniform_int_distribution<int>(0, depth > 1 ? 5 : 7)(rng)) {
    case 0:
      return nullptr;
    case 1:
      return std::uniform_int_distribution<int>(-3, 12)(rng);
    case 2:
      return pick(rng, {0.5, 1.5, -2.25, 3.0, 100.0, 1e20});
    case 3:
      return json::string(pick(rng, kTexts));
    case 4:
      return chance(rng, 0.5);
    case 5:
      return std::uniform_int_distribution<int>(0, 3)(rng);
    case 6: {
      json::array array;
      int n = std::uniform_int_distribution<int>(0, 3)(rng);
      for (int i = 0; i < n; ++i) array.push_back(random_json(rng, depth + 1));
      return array;
    }
    default: {
      json::object object;
      for (const char* key : {"a", "b", "0"}) {
        if (chance(rng, 0.6)) object[key] = random_json(rng, depth + 1);
      }
      return object;
    }
  }
}

json::array random_subset(std::mt19937& rng) {
  json::array out;
  for (const char* s : kSelects) {
    if (chance(rng, 0.45)) out.push_back(json::string(s));
  }
  return out;
}

json::object random_record(std::mt19937& rng, int index) {
  json::object r;
  char id[16];
  std::snprintf(id, sizeof id, "rec%012d", index);
  r["id"] = id;
  r["title"] = pick(rng, kTexts);
  r["body"] = pick(rng, kTexts);
  r["num"] = pick(rng, {0.0, 1.0, -2.5, 5.0, 12.0, 0.1, 3.0, 1e20, 100.0, -0.5});
  r["flag"] = chance(rng, 0.5);
  r["sel"] = chance(rng, 0.2) ? "" : pick(rng, kSelects);
  r["multi"] = random_subset(rng);
  r["rel"] = chance(rng, 0.3) ? "" : pick(rng, {"u1", "u2", "u3"});
  json::array rels;
  for (const char* u : {"u1", "u2", "u3"}) {
    if (chance(rng, 0.4)) rels.push_back(json::string(u));
  }
  r["rels"] = rels;
  r["meta"] = chance(rng, 0.15) ? json::value(nullptr) : random_json(rng, 0);
  json::object loc;
  loc["lon"] = pick(rng, {0.0, 1.0, 1.5, -20.0, 179.9});
  loc["lat"] = pick(rng, {0.0, 2.0, 45.5, -89.0});
  r["loc"] = loc;
  r["date"] = pick(rng, {"", "2024-05-17 10:20:30.456Z", "2023-01-01 00:00:00.000Z",
                         "2025-12-31 23:59:59.999Z"});
  return r;
}

const char* const kFields[] = {
    "title",        "body",       "num",        "flag",       "sel",          "multi",
    "rel",          "rels",       "meta",       "meta.a",     "meta.0",       "meta.a.b",
    "meta.a.0",     "loc",        "loc.lon",    "loc.lat",    "date",         "id",
    "title:lower",  "body:lower", "sel:lower",  "meta:lower", "meta.a:lower", "multi:each",
    "multi:length", "sel:each",   "sel:length", "rels:each",  "rels:length",  "rel:each",
    "multi:lower",  "rel.id"};
const char* const kRequests[] = {
    "@request.query.q",           "@request.query.missing",    "@request.headers.x_token",
    "@request.body.title",        "@request.body.num",         "@request.body.multi:each",
    "@request.body.multi:length", "@request.body.title:lower", "@request.body.title:changed",
    "@request.body.num:changed",  "@request.body.x:isset",     "@request.query.q:isset",
    "@request.context",           "@request.method",           "@request.auth.id",
    "@request.auth.verified",     "@request.auth.email",       "@request.body.meta",
    "@request.body.arr.1",        "@request.query.q:lower",    "@request.body.sel:each",
    "@request.body.rels:each",    "@request.body.flag"};
const char* const kLiterals[] = {"'a'",
                                 "''",
                                 "'A'",
                                 "'5'",
                                 "5",
                                 "0",
                                 "1.5",
                                 "-2",
                                 "null",
                                 "true",
                                 "false",
                                 "'%a%'",
                                 "'a\\_'",
                                 "'é'",
                                 "'abc'",
                                 "12",
                                 "'5.0'",
                                 "100",
                                 "100000000000000000000",
                                 "'b'",
                                 "'u1'",
                                 "'[\"a\"]'",
                                 "\"2024-05-17\""};
const char* const kMacros[] = {"@now", "@year", "@todayStart", "@month", "@weekday", "@yesterday"};
const char* const kOperators[] = {"=",  "!=",  ">",  ">=",  "<",  "<=",  "~",  "!~",
                                  "?=", "?!=", "?>", "?>=", "?<", "?<=", "?~", "?!~"};

std::string random_operand(std::mt19937& rng, bool left) {
  int kind = std::uniform_int_distribution<int>(left ? -4 : 0, 9)(rng);
  if (kind <= 3) return pick(rng, kFields);
  if (kind <= 5) return pick(rng, kRequests);
  if (kind <= 7) return pick(rng, kLiterals);
  if (kind == 8) return pick(rng, kMacros);
  return pick(rng, {"geoDistance(loc.lon, loc.lat, 1, 2)", "geoDistance(num, 0, 0, 0)",
                    "geoDistance(loc.lon, loc.lat, @request.body.num, 45)"});
}

std::string random_expression(std::mt19937& rng, int depth) {
  if (depth < 2 && chance(rng, 0.35)) {
    std::string out = "(" + random_expression(rng, depth + 1);
    int n = std::uniform_int_distribution<int>(1, 2)(rng);
    for (int i = 0; i < n; ++i) {
      out += chance(rng, 0.5) ? " && " : " || ";
      out += random_expression(rng, depth + 1);
    }
    return out + ")";
  }
  return random_operand(rng, true) + " " + pick(rng, kOperators) + " " + random_operand(rng, false);
}

RequestInfo random_request(std::mt19937& rng, const json::object& user) {
  RequestInfo request;
  request.method = pick(rng, {"GET", "POST"});
  request.context = pick(rng, {"default", "realtime"});
  if (chance(rng, 0.7)) request.query["q"] = pick(rng, kTexts);
  if (chance(rng, 0.5)) request.headers["x_token"] = pick(rng, kTexts);
  if (chance(rng, 0.8)) request.body["title"] = pick(rng, kTexts);
  if (chance(rng, 0.6)) {
    request.body["num"] = chance(rng, 0.5) ? json::value(pick(rng, {"5", "12", "x", "1e3", " 5"}))
                                           : json::value(pick(rng, {5.0, 0.0, -2.5}));
  }
  if (chance(rng, 0.6)) {
    request.body["multi"] = chance(rng, 0.6) ? json::value(random_subset(rng))
                                             : json::value(json::array{5, "a", 12.5, "12"});
  }
  if (chance(rng, 0.3)) request.body["x"] = nullptr;
  if (chance(rng, 0.4)) request.body["meta"] = random_json(rng, 0);
  if (chance(rng, 0.4)) request.body["arr"] = json::array{1, "two", 3.5};
  if (chance(rng, 0.4)) request.body["sel"] = pick(rng, kSelects);
  if (chance(rng, 0.4)) request.body["rels"] = json::array{"u1", "u3"};
  if (chance(rng, 0.4)) request.body["flag"] = chance(rng, 0.5);
  if (chance(rng, 0.6)) request.auth = AuthInfo{"_pb_users_auth_", "users", user};
  return request;
}

std::string describe(const db::Value& value) {
  if (std::holds_alternative<std::nullptr_t>(value)) return "NULL";
  if (const auto* i = std::get_if<std::int64_t>(&value)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&value)) return std::to_string(*d);
  return "'" + std::get<std::string>(value) + "'";
}

class EvaluatorAgreement {
 public:
  EvaluatorAgreement() {
    fixture.add_collection(R"({"name":"items","type":"base","fields":[
      {"name":"title","type":"text"},{"name":"body","type":"text"},
      {"name":"num","type":"number"},{"name":"flag","type":"bool"},
      {"name":"sel","type":"select","maxSelect":1,"values":["a","b","c"]},
      {"name":"multi","type":"select","maxSelect":3,"values":["a","b","c"]},
      {"name":"rel","type":"relation","maxSelect":1,"collectionId":"_pb_users_auth_"},
      {"name":"rels","type":"relation","maxSelect":3,"collectionId":"_pb_users_auth_"},
      {"name":"meta","type":"json"},{"name":"loc","type":"geoPoint"},
      {"name":"date","type":"date"}]})");
    std::mt19937 records(kSeed);
    for (int i = 0; i < kRecords; ++i) fixture.insert("items", random_record(records, i));
    ids = fixture.all_ids("items");
    for (const auto& id : ids) rows.push_back(fixture.row("items", id));
  }

  enum class Outcome { kAgree, kRefused, kDisagree };

  // Runs `filter` through SQLite and the evaluator; reports the first record they differ on.
  Outcome check(const std::string& filter, const RequestInfo& request) {
    PlanPtr plan;
    try {
      Ast ast = parse_filter(filter, ParseLimits::stored_rule());
      plan = resolve_filter(
          ast, fixture.context("items", ResolveMode::kRule, false, request.auth ? "users" : ""));
    } catch (const ResolveError&) {
      return Outcome::kRefused;  // e.g. :each on a text field
    }
    EXPECT_TRUE(plan->evaluable()) << filter;
    if (!plan->evaluable()) return Outcome::kDisagree;
    CompiledQuery query =
        compile_filter(fixture.database().dialect(), *plan, request, testing::fixed_now());
    std::vector<std::string> by_sql;
    try {
      by_sql = fixture.ids(query);
    } catch (const std::exception& error) {
      ADD_FAILURE() << "SQL failed for " << filter << ": " << error.what() << "\n"
                    << query.select_sql("id");
      return Outcome::kDisagree;
    }
    std::set<std::string> sql_set(by_sql.begin(), by_sql.end());
    if (!sql_set.empty() && sql_set.size() < ids.size()) ++discriminating;
    for (std::size_t r = 0; r < ids.size(); ++r) {
      bool expected = sql_set.count(ids[r]) > 0;
      bool actual = evaluate(*plan, rows[r], request, testing::fixed_now());
      if (actual != expected) {
        std::string row;
        for (const auto& v : rows[r]) row += describe(v) + " ";
        ADD_FAILURE() << "disagreement on " << filter << "\n  record " << ids[r] << ": " << row
                      << "\n  sqlite " << expected << ", evaluator " << actual << "\n  "
                      << query.select_sql("id") << "\n  request body "
                      << json::serialize(request.body);
        return Outcome::kDisagree;
      }
    }
    return Outcome::kAgree;
  }

  FilterFixture fixture;
  std::vector<std::string> ids;
  std::vector<std::vector<db::Value>> rows;
  int discriminating = 0;  // filters that select some records but not all
};

const json::object kUser{{"id", "u1"},
                         {"email", "a@example.com"},
                         {"verified", true},
                         {"emailVisibility", false},
                         {"name", "Ann"}};

TEST(EvaluatorPropertyTest, AgreesWithSqliteOnRandomFiltersAndRecords) {
  EvaluatorAgreement agreement;
  std::mt19937 rng(env_or("BASALT_PROPERTY_SEED", kSeed));
  const int expressions = static_cast<int>(env_or("BASALT_PROPERTY_FILTERS", kExpressions));

  int compared = 0;
  int refused = 0;
  int disagreements = 0;
  for (int n = 0; n < expressions && disagreements < 5; ++n) {
    std::string filter = random_expression(rng, 0);
    RequestInfo request = random_request(rng, kUser);
    switch (agreement.check(filter, request)) {
      case EvaluatorAgreement::Outcome::kAgree:
        ++compared;
        break;
      case EvaluatorAgreement::Outcome::kRefused:
        ++refused;
        break;
      case EvaluatorAgreement::Outcome::kDisagree:
        ++disagreements;
        break;
    }
  }
  EXPECT_EQ(disagreements, 0);
  EXPECT_GT(compared, expressions / 2);
  EXPECT_GT(agreement.discriminating, compared / 4);
  std::printf("compared %d filters x %d records (%d select some but not all; %d refused)\n",
              compared, kRecords, agreement.discriminating, refused);
}

// Corner cases random filters reach too rarely: comparison affinity (json_each values are
// BLOB-affinity columns), numbers as text, NULL json values, empty arrays, LIKE escapes.
TEST(EvaluatorPropertyTest, AgreesWithSqliteOnCornerCases) {
  const char* const kFilters[] = {"@request.body.multi:each ?= title",
                                  "@request.body.multi:each = title",
                                  "title ?= @request.body.multi:each",
                                  "@request.body.multi:each ?> num",
                                  "multi:each ?= @request.body.multi:each",
                                  "multi:each = @request.body.multi:each",
                                  "@request.body.multi:each ?~ title",
                                  "num ?= @request.body.multi:each",
                                  "num = '5'",
                                  "title = 5",
                                  "title > 5",
                                  "title < 12",
                                  "num ~ '5.0'",
                                  "num ~ 5",
                                  "num ~ '.0'",
                                  "flag = true",
                                  "flag = 'true'",
                                  "flag ~ 'true'",
                                  "flag = 1",
                                  "flag ~ 1",
                                  "meta = null",
                                  "meta != null",
                                  "meta = 5",
                                  "meta = '5'",
                                  "meta.a = 1.5",
                                  "meta ~ 'a'",
                                  "meta.a ?= multi:each",
                                  "meta = ''",
                                  "meta != ''",
                                  "meta.0 = null",
                                  "meta:lower ~ 'A'",
                                  "@request.body.title:changed != false",
                                  "@request.body.num:changed = true",
                                  "@request.body.num:changed != true",
                                  "multi:each != 'a'",
                                  "multi:length = 0",
                                  "sel:each = ''",
                                  "rels:length > 1",
                                  "rels:each != 'u1'",
                                  "multi:each ?!= 'b'",
                                  "title ~ '%'",
                                  "title ~ '\\%'",
                                  "title ~ 'x\\\\y'",
                                  "title ~ '_'",
                                  "title ~ 'É'",
                                  "title:lower = 'héllo'",
                                  "title = body",
                                  "title ?= body",
                                  "title != body",
                                  "@request.query.q = title",
                                  "@request.query.q != title",
                                  "@request.query.missing = title",
                                  "title = @request.auth.email",
                                  "flag = @request.auth.verified",
                                  "num > @request.body.num",
                                  "@request.body.meta = meta",
                                  "@request.body.arr.1 = title",
                                  "num = @request.body.flag",
                                  "geoDistance(loc.lon, loc.lat, 1, 2) < 300",
                                  "geoDistance(num, 0, 0, 0) > 100",
                                  "loc.lon = 0",
                                  "loc ~ '\"lat\":2'",
                                  "date >= @todayStart",
                                  "date < @now",
                                  "date ~ @year",
                                  "id ~ 'rec00000000001'",
                                  "num ?< -1 || title ?= ''"};
  EvaluatorAgreement agreement;
  std::mt19937 rng(kSeed + 1);
  std::vector<RequestInfo> requests;
  for (int i = 0; i < 6; ++i) requests.push_back(random_request(rng, kUser));
  RequestInfo numbers;
  numbers.body["multi"] = json::array{5, "a", 12.5, "12", "5"};
  numbers.body["num"] = "5";
  numbers.body["title"] = "a";
  requests.push_back(numbers);
  for (const char* filter : kFilters) {
    for (const auto& request : requests) {
      EXPECT_NE(agreement.check(filter, request), EvaluatorAgreement::Outcome::kDisagree) << filter;
    }
  }
}

}  // namespace
}  // namespace basalt::query
