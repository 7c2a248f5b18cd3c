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
constexpr int kPgFilters = 1000;
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
  constexpr int kDatabases = 3;
  const int queries = static_cast<int>(testing::env_or("BASALT_PROPERTY_FILTERS", 120));
  std::mt19937 rng(testing::env_or("BASALT_PROPERTY_SEED", 20261207));
  const db::PostgresDialect postgres;
  int compared = 0;
  int some = 0;
  for (int d = 0; d < kDatabases; ++d) {
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
  EXPECT_GT(compared, kDatabases * queries / 2);
  EXPECT_GT(some, kDatabases * queries / 5);
  std::printf("compared %d relation queries on SQLite and PostgreSQL (%d select some posts)\n",
              compared, some);
}

}  // namespace
}  // namespace basalt::query
