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
#include "basalt/query/testing/random_filters.hpp"

namespace basalt::query {
namespace {

namespace json = boost::json;
using testing::chance;
using testing::env_or;
using testing::FilterFixture;
using testing::pick;
using testing::random_expression;
using testing::random_record;
using testing::random_request;

// BASALT_PROPERTY_SEED / BASALT_PROPERTY_FILTERS override these for longer local runs.
constexpr unsigned kSeed = 20240517;
constexpr int kExpressions = 4000;

constexpr int kRecords = 48;

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
  const char* const kFilters[] = {
    "@request.body.multi:each ?= title", "@request.body.multi:each = title",
    "title ?= @request.body.multi:each", "@request.body.multi:each ?> num",
    "multi:each ?= @request.body.multi:each", "multi:each = @request.body.multi:each",
    "@request.body.multi:each ?~ title", "num ?= @request.body.multi:each", "num = '5'",
    "title = 5", "title > 5", "title < 12", "num ~ '5.0'", "num ~ 5", "num ~ '.0'", "flag = true",
    "flag = 'true'", "flag ~ 'true'", "flag = 1", "flag ~ 1", "meta = null", "meta != null",
    "meta = 5", "meta = '5'", "meta.a = 1.5", "meta ~ 'a'", "meta.a ?= multi:each", "meta = ''",
    "meta != ''", "meta.0 = null", "meta:lower ~ 'A'", "@request.body.title:changed != false",
    "@request.body.num:changed = true", "@request.body.num:changed != true", "multi:each != 'a'",
    "multi:length = 0", "sel:each = ''", "rels:length > 1", "rels:each != 'u1'",
    "multi:each ?!= 'b'", "title ~ '%'", "title ~ '\\%'", "title ~ 'x\\\\y'", "title ~ '_'",
    "title ~ 'É'", "title:lower = 'héllo'", "title = body", "title ?= body",
    fixture.add_collection(testing::random_items_collection());
  "geoDistance(loc.lon, loc.lat, 1, 2) < 300", "geoDistance(num, 0, 0, 0) > 100", "loc.lon = 0",
      "loc ~ '\"lat\":2'", "date >= @todayStart", "date < @now", "date ~ @year",
      "id ~ 'rec00000000001'", "num ?< -1 || title ?= ''"
};
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
}  // namespace

}  // namespace basalt::query
}  // namespace basalt::query
