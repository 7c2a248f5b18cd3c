// Property test: a semi-join answers exactly what the plain LEFT JOINs answer. Random filters
// over paths that mix single relations, multiple relations and back-relations (two and three
// hops), multiple relations of the record, back-relations through a multiple field, the
// requester's relations (@request.auth.*, as a guest, a person, or one whose record is gone)
// and @collection, with `!=` forms that become anti-joins, on random data with empty and dangling
// relations, missing targets and records the joined collection's list rule hides, are compiled
// twice - the semi-join forms QueryBuilder prints (docs/query-compiler.md) and its plain-join
// reference (use_plain_joins) - and must select the same records in the same order and count the
// same total, for a guest's client filter (list rules guard every join) and for a trusted rule
// together with it.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <cstdio>
#include <iterator>
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
#include "basalt/query/testing/random_relations.hpp"

namespace basalt::query {
namespace semi_join_property {

namespace json = boost::json;
using testing::chance;
using testing::env_or;
using testing::FilterFixture;
using testing::kSjShapes;
using testing::kSjSorts;
using testing::pick;
using testing::random_sj_database;
using testing::random_sj_filter;
using testing::random_sj_request;

constexpr unsigned kSemiJoinSeed = 20261207;
constexpr int kSemiJoinDatabases = 12;
constexpr int kSemiJoinQueries = 250;

struct SjAnswer {
  std::vector<std::string> ids;
  std::int64_t count = 0;
  bool operator==(const SjAnswer&) const = default;
};

// The posts `rule` (trusted, may be empty) and a guest's `filter` select, in `sort` order, and
// their count; nullopt when a filter is refused.
std::optional<SjAnswer> run_sj(FilterFixture& fixture, const RequestInfo& request,
                               const std::string& rule, const std::string& filter,
                               const std::string& sort, bool plain) {
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
    QueryBuilder builder(fixture.database().dialect(), *filter_plan);
    if (plain) builder.use_plain_joins();
    if (rule_plan) builder.add_filter(*rule_plan, request, testing::fixed_now());
    builder.add_filter(*filter_plan, request, testing::fixed_now());
    builder.add_sort(*sort_plan, request, testing::fixed_now());
    CompiledQuery query = std::move(builder).finish();
    SjAnswer answer;
    auto rows = db::testing::sync_wait(
        fixture.database().query(query.select_sql(query.table + ".\"id\""), query.params));
    for (auto row : rows) answer.ids.emplace_back(row.as_text(0));
    auto count =
        db::testing::sync_wait(fixture.database().query(query.count_sql(), query.count_params()));
    answer.count = count[0].as_int(0);
    return answer;
  } catch (const ParseError&) {
    return std::nullopt;
  } catch (const ResolveError&) {
    return std::nullopt;
  }
}

std::string sj_describe(const std::optional<SjAnswer>& answer) {
  if (!answer) return "refused";
  std::string out = "count " + std::to_string(answer->count) + ":";
  for (const auto& id : answer->ids) out += " " + id;
  return out;
}

TEST(SemiJoinPropertyTest, SemiJoinsSelectWhatPlainJoinsSelect) {
  std::mt19937 rng(env_or("BASALT_PROPERTY_SEED", kSemiJoinSeed));
  const int queries = static_cast<int>(env_or("BASALT_PROPERTY_FILTERS", kSemiJoinQueries));
  int compared = 0;
  int nonempty = 0;
  for (int d = 0; d < kSemiJoinDatabases; ++d) {
    auto fixture = random_sj_database(rng);
    const int shapes = static_cast<int>(testing::kSjShapeCount);
    for (int q = 0; q < queries + 2 * shapes; ++q) {
      // Each shape as a guest's filter, then as the rule beside a random filter.
      std::string rule = q < shapes         ? std::string()
                         : q < 2 * shapes   ? std::string(kSjShapes[q - shapes])
                         : chance(rng, 0.4) ? random_sj_filter(rng)
                                            : std::string();
      std::string filter = q < shapes ? std::string(kSjShapes[q]) : random_sj_filter(rng);
      std::string sort =
          kSjSorts[std::uniform_int_distribution<std::size_t>(0, testing::kSjSortCount - 1)(rng)];
      RequestInfo request = random_sj_request(rng);
      auto semi = run_sj(*fixture, request, rule, filter, sort, false);
      auto plain = run_sj(*fixture, request, rule, filter, sort, true);
      ASSERT_EQ(semi, plain) << "rule: " << rule << "\nfilter: " << filter << "\nsort: " << sort
                             << "\nauth: "
                             << (request.auth ? request.auth->record.at("id").as_string().c_str()
                                              : "guest")
                             << "\nsemi-joins: " << sj_describe(semi)
                             << "\nplain joins: " << sj_describe(plain);
      if (!semi) continue;
      ++compared;
      if (semi->count > 0 && semi->count < 8) ++nonempty;
    }
  }
  // Most random queries must resolve, and many must select some but not all posts, or the
  // property says little.
  EXPECT_GT(compared, kSemiJoinDatabases * queries / 2);
  EXPECT_GT(nonempty, kSemiJoinDatabases * queries / 5);
}

}  // namespace semi_join_property
}  // namespace basalt::query
