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
#include "basalt/query/parse_error.hpp"
#include "basalt/query/parser.hpp"
#include "basalt/query/query_builder.hpp"
#include "basalt/query/resolve_error.hpp"
#include "basalt/query/resolver.hpp"
#include "basalt/query/testing/filter_fixture.hpp"
#include "basalt/query/testing/postgres_mirror.hpp"
#include "basalt/query/testing/property_random.hpp"
#include "basalt/query/testing/random_filters.hpp"

namespace basalt::query {
namespace {

namespace json = boost::json;
using testing::FilterFixture;
using testing::PostgresMirror;

constexpr unsigned kPgSeed = 20240517;
constexpr int kPgFilters = 1500;
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

}  // namespace
}  // namespace basalt::query
