// Micro-benchmarks of filter compilation (src/basalt/query): a typical 5-comparison list rule
// with one relation hop, (a) parsed, resolved and compiled from scratch, (b) served from the
// PlanCache and only lowered and printed for the request (the per-request path), and the
// pieces of each; plus the in-memory evaluator on a rule without joins.
// Run: <build dir>/bench/query_micro_bench (a Release build with BASALT_BUILD_BENCH=ON).
// Numbers, not gates.
#include <benchmark/benchmark.h>

#include <boost/json/parse.hpp>
#include <vector>

#include "basalt/db/sqlite/sqlite_dialect.hpp"
#include "basalt/query/evaluator.hpp"
#include "basalt/query/parser.hpp"
#include "basalt/query/plan_cache.hpp"
#include "basalt/query/query_builder.hpp"
#include "basalt/query/resolver.hpp"
#include "basalt/schema/collection_defaults.hpp"
#include "basalt/schema/collection_json.hpp"
#include "basalt/schema/system_collections.hpp"

namespace basalt::query {
namespace {

namespace json = boost::json;

// Five comparisons, one hop (author -> users), request values and a macro: the shape of a
// real list rule.
constexpr std::string_view kRule =
    "author.verified = true && status = 'published' && views >= 10 && "
    "title ~ @request.query.q && created > @yesterday";
// The same without the hop, for the evaluator.
constexpr std::string_view kFlatRule =
    "author = @request.auth.id && status = 'published' && views >= 10 && "
    "title ~ @request.query.q && tags:each ?= 'news'";

struct World {
  std::vector<schema::Collection> collections;
  db::SqliteDialect dialect;
  RequestInfo request;

  World() {
    collections = schema::system_collections();
    for (auto& c : collections) schema::apply_defaults(c);
    auto parsed = schema::parse_collection(json::parse(R"({"name":"posts","type":"base",
        "fields":[{"name":"title","type":"text"},{"name":"status","type":"text"},
                  {"name":"views","type":"number"},
                  {"name":"tags","type":"select","maxSelect":5,"values":["news","tech"]},
                  {"name":"author","type":"relation","maxSelect":1,
                   "collectionId":"_pb_users_auth_"},
                  {"name":"created","type":"autodate","onCreate":true}]})"),
                                           schema::ParseMode::kCreate);
    schema::apply_defaults(parsed.collection);
    collections.push_back(std::move(parsed.collection));
    request.query["q"] = "hello";
    request.auth = AuthInfo{"_pb_users_auth_", "users",
                            json::parse(R"({"id":"u1","email":"a@b.c"})").as_object()};
  }

  ResolveContext context() const {
    ResolveContext context{collections.back(), collections};
    context.auth_collection = &collections[collections.size() - 2];  // users
    return context;
  }
};

World& world() {
  static World instance;
  return instance;
}

void BM_ParseOnly(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(parse_filter(kRule, ParseLimits::stored_rule()));
}
BENCHMARK(BM_ParseOnly);

void BM_ParseResolve(benchmark::State& state) {
  World& w = world();
  auto context = w.context();
  for (auto _ : state) {
    Ast ast = parse_filter(kRule, ParseLimits::stored_rule());
    benchmark::DoNotOptimize(resolve_filter(ast, context));
  }
}
BENCHMARK(BM_ParseResolve);

// The uncached path: everything a request pays for a rule it has never seen.
void BM_ParseResolveCompile(benchmark::State& state) {
  World& w = world();
  auto context = w.context();
  for (auto _ : state) {
    Ast ast = parse_filter(kRule, ParseLimits::stored_rule());
    PlanPtr plan = resolve_filter(ast, context);
    benchmark::DoNotOptimize(compile_filter(w.dialect, *plan, w.request, Clock::now()));
  }
}
BENCHMARK(BM_ParseResolveCompile);

// The cached path: a PlanCache hit, then lowering and printing for this request.
void BM_CachedCompile(benchmark::State& state) {
  World& w = world();
  auto context = w.context();
  PlanCache cache;
  cache.filter(context, 1, kRule);
  for (auto _ : state) {
    PlanPtr plan = cache.filter(context, 1, kRule);
    benchmark::DoNotOptimize(compile_filter(w.dialect, *plan, w.request, Clock::now()));
  }
}
BENCHMARK(BM_CachedCompile);

void BM_CacheHitOnly(benchmark::State& state) {
  World& w = world();
  auto context = w.context();
  PlanCache cache;
  cache.filter(context, 1, kRule);
  for (auto _ : state) benchmark::DoNotOptimize(cache.filter(context, 1, kRule));
}
BENCHMARK(BM_CacheHitOnly);

// Realtime fan-out: one record, one subscriber's rule, no database.
void BM_Evaluate(benchmark::State& state) {
  World& w = world();
  Ast ast = parse_filter(kFlatRule, ParseLimits::stored_rule());
  PlanPtr plan = resolve_filter(ast, w.context());
  // id, title, status, views, tags, author, created
  std::vector<db::Value> row = {std::string("p1"),
                                std::string("hello world"),
                                std::string("published"),
                                12.0,
                                std::string(R"(["news","tech"])"),
                                std::string("u1"),
                                std::string("2024-05-17 10:00:00.000Z")};
  if (!evaluate(*plan, row, w.request, Clock::now())) state.SkipWithError("rule should hold");
  for (auto _ : state) benchmark::DoNotOptimize(evaluate(*plan, row, w.request, Clock::now()));
}
BENCHMARK(BM_Evaluate);

}  // namespace
}  // namespace basalt::query

BENCHMARK_MAIN();
