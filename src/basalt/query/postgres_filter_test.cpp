// Filters on PostgreSQL select what they select on SQLite: the same collections and records in
// a SQLite file (FilterFixture) and in PostgreSQL (PostgresMirror), each filter compiled for
// both dialects and run on both; the ids must be the same. Needs BASALT_TEST_POSTGRES_URL.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "basalt/db/postgres/postgres_dialect.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/query/parse_error.hpp"
#include "basalt/query/parser.hpp"
#include "basalt/query/query_builder.hpp"
#include "basalt/query/resolve_error.hpp"
#include "basalt/query/resolver.hpp"
#include "basalt/query/sort.hpp"
#include "basalt/query/testing/filter_fixture.hpp"
#include "basalt/query/testing/postgres_mirror.hpp"
#include "basalt/query/testing/property_random.hpp"
#include "basalt/query/testing/random_filters.hpp"
#include "basalt/query/testing/random_relations.hpp"

namespace basalt::query {
namespace {

namespace json = boost::json;
using testing::FilterFixture;
using testing::PostgresMirror;

constexpr unsigned kPgSeed = 20240517;
constexpr int kPgFilters = 400;
constexpr int kPgRecords = 48;

const json::object kPgUser{{"id", "u1"},
                           {"email", "a@example.com"},
                           {"verified", true},
                           {"emailVisibility", false},
                           {"name", "Ann"}};

std::string joined(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) out += id + " ";
  return out;
}

// The items collection with random records, on both engines.
class BothEngines {
 public:
  explicit BothEngines(db::testing::LibpqSession& pg) : pg_(pg) {
    fixture.add_collection(testing::random_items_collection());
    std::mt19937 records(kPgSeed);
    for (int i = 0; i < kPgRecords; ++i) {
      fixture.insert("items", testing::random_record(records, i));
    }
    mirror.emplace(fixture, pg_);
    mirror->copy_rows();
  }

  enum class Outcome { kSame, kRefused, kDifferent };

  // Compiles `filter` on "items" for both dialects and compares the ids they select.
  Outcome check(const std::string& filter, const RequestInfo& request) {
    PlanPtr plan;
    try {
      Ast ast = parse_filter(filter, ParseLimits::stored_rule());
      plan = resolve_filter(
          ast, fixture.context("items", ResolveMode::kRule, false, request.auth ? "users" : ""));
    } catch (const ResolveError&) {
      return Outcome::kRefused;
    } catch (const ParseError&) {
      return Outcome::kRefused;
    }
    const CompiledQuery on_sqlite =
        compile_filter(fixture.database().dialect(), *plan, request, testing::fixed_now());
    const CompiledQuery on_postgres =
        compile_filter(postgres_, *plan, request, testing::fixed_now());
    const std::vector<std::string> expected = fixture.ids(on_sqlite);
    std::vector<std::string> actual;
    try {
      actual = mirror->ids(on_postgres);
    } catch (const std::exception& error) {
      ADD_FAILURE() << "PostgreSQL failed on " << filter << ": " << error.what();
      return Outcome::kDifferent;
    }
    if (!expected.empty() && expected.size() < kPgRecords) ++discriminating;
    if (actual != expected) {
      ADD_FAILURE() << "different ids for " << filter << "\n  sqlite   " << joined(expected)
                    << "\n  postgres " << joined(actual) << "\n  " << on_postgres.select_sql("id")
                    << "\n  request body " << json::serialize(request.body);
      return Outcome::kDifferent;
    }
    return Outcome::kSame;
  }

  FilterFixture fixture;
  std::optional<PostgresMirror> mirror;
  int discriminating = 0;

 private:
  db::testing::LibpqSession& pg_;
  db::PostgresDialect postgres_;
};

TEST(PostgresFilterTest, SetupStatementsAreIdempotent) {
  BASALT_LIBPQ_SESSION_OR_SKIP(pg);
  const db::PostgresDialect dialect;
  for (int round = 0; round < 2; ++round) {
    for (const std::string& statement : filter_dialect_for(dialect).setup_statements()) {
      pg.exec(statement);
    }
  }
  EXPECT_EQ(pg.scalar("SELECT basalt_text(basalt_numeric(basalt_sv(' 12 '::text)))"), "12");
}

TEST(PostgresFilterTest, RandomFiltersSelectTheSameRecordsAsOnSqlite) {
  BASALT_LIBPQ_SESSION_OR_SKIP(pg);
  BothEngines engines(pg);
  std::mt19937 rng(testing::env_or("BASALT_PROPERTY_SEED", kPgSeed));
  const int filters = static_cast<int>(testing::env_or("BASALT_PROPERTY_FILTERS", kPgFilters));
  int same = 0;
  int refused = 0;
  int different = 0;
  for (int n = 0; n < filters && different < 10; ++n) {
    const std::string filter = testing::random_expression(rng, 0);
    const RequestInfo request = testing::random_request(rng, kPgUser);
    switch (engines.check(filter, request)) {
      case BothEngines::Outcome::kSame:
        ++same;
        break;
      case BothEngines::Outcome::kRefused:
        ++refused;
        break;
      case BothEngines::Outcome::kDifferent:
        ++different;
        break;
    }
  }
  EXPECT_EQ(different, 0);
  EXPECT_GT(same, filters / 2);
  EXPECT_GT(engines.discriminating, same / 4);
  std::printf(
      "compared %d filters x %d records on SQLite and PostgreSQL (%d select some but not "
      "all; %d refused)\n",
      same, kPgRecords, engines.discriminating, refused);
}

// The PostgreSQL spellings of docs/postgres.md, exactly (placeholders and all).
TEST(PostgresFilterTest, PrintsThePostgresSpellings) {
  FilterFixture fixture;
  fixture.add_collection(testing::random_items_collection());
  const db::PostgresDialect dialect;
  auto where = [&](const std::string& filter) {
    Ast ast = parse_filter(filter, ParseLimits::stored_rule());
    PlanPtr plan = resolve_filter(ast, fixture.context("items", ResolveMode::kRule));
    return compile_filter(dialect, *plan, RequestInfo{}, testing::fixed_now()).where;
  };
  EXPECT_EQ(
      where("num = '5'"),
      R"sql((basalt_cmp(basalt_numeric(basalt_sv("items"."num")), basalt_numeric(basalt_sv($1::text))) = 0))sql");
  EXPECT_EQ(
      where("meta.a ~ 'x'"),
      R"sql(basalt_like(basalt_sv(basalt_json_extract("items"."meta", ($1::text)::text[])), basalt_sv($2::text)))sql");
  EXPECT_EQ(
      where("multi:each ?= 'a'"),
      R"sql(EXISTS (SELECT 1 FROM basalt_json_each("items"."multi", TRUE) "__je_items_multi" WHERE (basalt_cmp(basalt_sv("__je_items_multi"."value"), basalt_sv($1::text)) = 0)))sql");
  EXPECT_EQ(
      where("rel.name != 'x'"),
      R"sql(("items"."rel" IS NULL OR "items"."rel" NOT IN (SELECT "items_rel"."id" FROM "users" "items_rel" WHERE ((("items_rel"."name")::text IS DISTINCT FROM ($1::text)::text)) IS NOT TRUE)))sql");
  // A text against a value of another type: one side's basalt_v text against the other, so
  // that a join on it can hash (a relation's json_each item against an id).
  EXPECT_EQ(
      where("rels.name ?= 'x'"),
      R"sql(EXISTS (SELECT 1 FROM basalt_json_each("items"."rels", TRUE) "__je_items_rels" JOIN "users" "items_rels" ON ((basalt_sv("__je_items_rels"."value")).v = 't' || ("items_rels"."id")::text) WHERE (("items_rels"."name")::text = ($1::text)::text)))sql");
  // Two numbers (a number column, a number parameter) compare natively.
  EXPECT_EQ(
      where("num > 5"),
      R"sql(((("items"."num")::double precision) > (($1::double precision)::double precision)))sql");
  EXPECT_EQ(where("title > 'b'"),
            R"sql((("items"."title")::text COLLATE "C" > ($1::text)::text))sql");
}

// Each operator's edge cases on every kind of operand: NULL, '', 0, false, numbers as text,
// a missing relation, empty arrays, ASCII and non-ASCII case, LIKE escapes, JSON paths that do
// not apply, strftime.
TEST(PostgresFilterTest, OperatorEdgeCasesMatchSqlite) {
  BASALT_LIBPQ_SESSION_OR_SKIP(pg);
  const char* const kEdgeFilters[] = {
      "title = ''",
      "title != ''",
      "title = null",
      "title != null",
      "title = 0",
      "title = '0'",
      "title = 5",
      "title > 5",
      "title < 12",
      "title >= 'a'",
      "title ~ 'A'",
      "title !~ 'a'",
      "title ~ 'É'",
      "title ~ 'é'",
      "title:lower = 'héllo'",
      "title ~ '%'",
      "title ~ '\\%'",
      "title ~ '_'",
      "title ~ 'a\\_b'",
      "title ~ 'x\\\\y'",
      "title ~ 'abc\\'",
      "title ~ ''",
      "title = body",
      "title != body",
      "title ?= body",
      "title < body",
      "num = 0",
      "num != 0",
      "num = '5'",
      "num = '5.0'",
      "num = ' 12 '",
      "num > '1e3'",
      "num < -1",
      "num ~ 5",
      "num ~ '.0'",
      "num ~ 'e+'",
      "num = null",
      "num > true",
      "flag = true",
      "flag = false",
      "flag = 1",
      "flag = 0",
      "flag = 'true'",
      "flag ~ 1",
      "flag != null",
      "flag < 1",
      "flag <= 0",
      "flag > 0",
      "flag >= 1",
      "flag < 0.5",
      "flag > 0.5",
      "flag >= 2",
      "flag <= -1",
      "flag < true",
      "flag >= false",
      "flag < num",
      "flag >= num",
      "num > flag",
      "1 > flag",
      "0.5 <= flag",
      "sel = ''",
      "sel != ''",
      "sel ~ 'A'",
      "sel:each = ''",
      "sel:length = 0",
      "multi:length = 0",
      "multi:length > 1",
      "multi:each = 'a'",
      "multi:each != 'a'",
      "multi:each ?= 'A'",
      "multi:each ?!= 'b'",
      "multi ~ 'a'",
      "multi = '[]'",
      "multi = ''",
      "rel = ''",
      "rel != ''",
      "rel = null",
      "rel.id = 'u1'",
      "rel.id != 'u1'",
      "rel:each ?= ''",
      "rels:length = 0",
      "rels:each = 'u1'",
      "rels:each ?!= 'u1'",
      "rels ~ 'u'",
      "meta = null",
      "meta != null",
      "meta = ''",
      "meta != ''",
      "meta = 5",
      "meta = '5'",
      "meta = 5.0",
      "meta = true",
      "meta = 1",
      "meta ~ 'a'",
      "meta.a = null",
      "meta.a != null",
      "meta.0 = null",
      "meta.0 != null",
      "meta.a.b = 1",
      "meta.a.0 ?= 0",
      "meta:lower ~ 'A'",
      "meta.a:lower = 'abc'",
      "loc.lon = 0",
      "loc.lat > 40",
      "loc.lon ~ '.5'",
      "geoDistance(loc.lon, loc.lat, 1, 2) < 300",
      "geoDistance(num, 0, 0, 0) > 100",
      "geoDistance(title, 0, 0, 0) = null",
      "date = ''",
      "date >= @todayStart",
      "date < @now",
      "date ~ @year",
      "date > @yesterday",
      "@now > date",
      "id ~ 'rec00000000001'",
      "id = 'REC000000000001'",
      "strftime('%Y', date) = '2024'",
      "strftime('%Y-%m-%d %H:%M:%S', date) = '2024-05-17 10:20:30'",
      "strftime('%f %j %w %W %s', date) != ''",
      "strftime('%m', date, '+1 months') = '06'",
      "strftime('%Y-%m-%d', date, 'start of month', '-1 days') ~ '-30'",
      "strftime('%H', date, '+2 hours') = '12'",
      "strftime('%d', date, 'bogus') = null",
      "strftime('%Y', title) = '2024'",
      "@request.body.x:isset = true",
      "@request.body.multi:each ?= title",
      "@request.body.multi:each = title",
      "title ?= @request.body.multi:each",
      "@request.body.multi:each ?> num",
      "num ?= @request.body.multi:each",
      "@request.body.multi:length = 5",
      "@request.body.num = num",
      "@request.body.num:changed = true",
      "@request.body.flag = flag",
      "@request.query.q = title",
      "@request.query.missing = title",
      "@request.auth.id = rel",
      "@request.auth.email = title",
      "@request.auth.verified = flag"};
  BothEngines engines(pg);
  std::mt19937 rng(kPgSeed + 7);
  std::vector<RequestInfo> requests;
  for (int i = 0; i < 3; ++i) requests.push_back(testing::random_request(rng, kPgUser));
  RequestInfo numbers;
  numbers.body["multi"] = json::array{5, "a", 12.5, "12", "5"};
  numbers.body["num"] = "5";
  numbers.body["title"] = "a";
  numbers.body["x"] = nullptr;
  requests.push_back(numbers);
  int checked = 0;
  for (const char* filter : kEdgeFilters) {
    for (const RequestInfo& request : requests) {
      const auto outcome = engines.check(filter, request);
      EXPECT_NE(outcome, BothEngines::Outcome::kDifferent) << filter;
      if (outcome == BothEngines::Outcome::kSame) ++checked;
    }
  }
  EXPECT_GT(checked, static_cast<int>(std::size(kEdgeFilters)) * 3);
}

// One query over the posts of a relations database: a guest's `filter` (list rules guard its
// joins) beside a trusted `rule`, sorted by `sort` then id, printed for `dialect`.
std::optional<CompiledQuery> compile_posts_query(const db::Dialect& dialect, FilterFixture& fixture,
                                                 const RequestInfo& request,
                                                 const std::string& rule, const std::string& filter,
                                                 const std::string& sort) {
  try {
    std::string_view auth = request.auth ? "people" : "";
    ResolveContext client = fixture.context("posts", ResolveMode::kClient, false, auth);
    ResolveContext trusted = fixture.context("posts", ResolveMode::kRule, false, auth);
    PlanPtr filter_plan =
        resolve_filter(parse_filter(filter, ParseLimits::client_filter()), client);
    PlanPtr rule_plan;
    if (!rule.empty()) {
      rule_plan = resolve_filter(parse_filter(rule, ParseLimits::stored_rule()), trusted);
    }
    PlanPtr sort_plan = resolve_sort(parse_sort(sort + ",id"), client);
    QueryBuilder builder(dialect, *filter_plan);
    if (rule_plan) builder.add_filter(*rule_plan, request, testing::fixed_now());
    builder.add_filter(*filter_plan, request, testing::fixed_now());
    builder.add_sort(*sort_plan, request, testing::fixed_now());
    return std::move(builder).finish();
  } catch (const ParseError&) {
    return std::nullopt;
  } catch (const ResolveError&) {
    return std::nullopt;
  }
}

struct PostsAnswer {
  std::vector<std::string> ids;  // in the query's order
  std::string count;
  bool operator==(const PostsAnswer&) const = default;
};

std::string describe_posts(const PostsAnswer& answer) {
  return "count " + answer.count + ": " + joined(answer.ids);
}

// Relations, back-relations, @request.auth, @collection, list rules, sorts and counts: the
// semi-join property test's databases and filters, each query run on both engines.
TEST(PostgresFilterTest, RelationFiltersSortsAndCountsMatchSqlite) {
  BASALT_LIBPQ_SESSION_OR_SKIP(pg);
  // Small by default (every query runs the SQL functions on a shared machine); raise
  // BASALT_PROPERTY_FILTERS and BASALT_PG_DATABASES for longer runs.
  const int databases = static_cast<int>(testing::env_or("BASALT_PG_DATABASES", 1));
  const int queries = static_cast<int>(testing::env_or("BASALT_PROPERTY_FILTERS", 30));
  std::mt19937 rng(testing::env_or("BASALT_PROPERTY_SEED", 20261207));
  const db::PostgresDialect postgres;
  int compared = 0;
  int some = 0;
  for (int d = 0; d < databases; ++d) {
    std::unique_ptr<FilterFixture> fixture = testing::random_sj_database(rng);
    db::testing::LibpqSession session(db::testing::LibpqSession::url());
    PostgresMirror mirror(*fixture, session);
    mirror.copy_rows();
    const int shapes = static_cast<int>(testing::kSjShapeCount);
    for (int q = 0; q < queries + 2 * shapes; ++q) {
      const std::string rule = q < shapes       ? std::string()
                               : q < 2 * shapes ? std::string(testing::kSjShapes[q - shapes])
                               : testing::chance(rng, 0.4) ? testing::random_sj_filter(rng)
                                                           : std::string();
      const std::string filter =
          q < shapes ? std::string(testing::kSjShapes[q]) : testing::random_sj_filter(rng);
      const std::string sort = testing::kSjSorts[std::uniform_int_distribution<std::size_t>(
          0, testing::kSjSortCount - 1)(rng)];
      const RequestInfo request = testing::random_sj_request(rng);
      auto on_sqlite =
          compile_posts_query(fixture->database().dialect(), *fixture, request, rule, filter, sort);
      auto on_postgres = compile_posts_query(postgres, *fixture, request, rule, filter, sort);
      ASSERT_EQ(on_sqlite.has_value(), on_postgres.has_value()) << filter;
      if (!on_sqlite) continue;
      PostsAnswer expected;
      auto rows = db::testing::sync_wait(fixture->database().query(
          on_sqlite->select_sql(on_sqlite->table + ".\"id\""), on_sqlite->params));
      for (auto row : rows) expected.ids.emplace_back(row.as_text(0));
      auto count = db::testing::sync_wait(
          fixture->database().query(on_sqlite->count_sql(), on_sqlite->count_params()));
      expected.count = std::to_string(count[0].as_int(0));
      PostsAnswer actual;
      try {
        actual.ids = mirror.ordered_ids(*on_postgres);
        actual.count = *session.scalar(on_postgres->count_sql(),
                                       PostgresMirror::text_params(on_postgres->count_params()));
      } catch (const std::exception& error) {
        FAIL() << "PostgreSQL failed on rule: " << rule << "\nfilter: " << filter
               << "\nsort: " << sort << "\n"
               << error.what();
      }
      ASSERT_EQ(actual, expected) << "rule: " << rule << "\nfilter: " << filter
                                  << "\nsort: " << sort
                                  << "\nsqlite:   " << describe_posts(expected)
                                  << "\npostgres: " << describe_posts(actual) << "\n"
                                  << on_postgres->select_sql("id");
      ++compared;
      if (!expected.ids.empty() && expected.ids.size() < 8) ++some;
    }
  }
  EXPECT_GT(compared, databases * queries / 2);
  EXPECT_GT(some, databases * queries / 5);
  std::printf("compared %d relation queries on SQLite and PostgreSQL (%d select some posts)\n",
              compared, some);
}

}  // namespace
}  // namespace basalt::query
