// Micro-benchmarks of the per-request work in src/basalt/http that does not touch a socket:
// route matching on a PocketBase-sized route table, request-id generation, gzip of a list
// response, the `?fields=` projection of one, and the metrics hooks of a request and a statement.
// Run: build/release/bench/micro_bench (also part of `make bench`).
#include <benchmark/benchmark.h>

#include <optional>
#include <string>
#include <vector>

#include "basalt/core/span_scope.hpp"
#include "basalt/http/gzip.hpp"
#include "basalt/http/json_fields.hpp"
#include "basalt/http/request_id.hpp"
#include "basalt/http/request_metrics.hpp"
#include "basalt/http/router.hpp"
#include "basalt/metrics/thread_block.hpp"

namespace basalt::http {
namespace {

Handler noop() {
  return [](Request&, Response&) -> boost::asio::awaitable<void> { co_return; };
}

// The shape of PocketBase's REST surface (docs/api.md, "Routes"): static prefixes, collection and
// record parameters, a few literal siblings of parameters.
Router pocketbase_like_router() {
  const char* templates[] = {
      "/api/health",
      "/api/realtime",
      "/api/batch",
      "/api/settings",
      "/api/logs",
      "/api/logs/stats",
      "/api/logs/{id}",
      "/api/backups",
      "/api/backups/{key}",
      "/api/crons",
      "/api/crons/{id}",
      "/api/files/token",
      "/api/files/{collection}/{record}/{filename}",
      "/api/collections",
      "/api/collections/import",
      "/api/collections/meta/scaffolds",
      "/api/collections/{collection}",
      "/api/collections/{collection}/truncate",
      "/api/collections/{collection}/records",
      "/api/collections/{collection}/records/{id}",
      "/api/collections/{collection}/auth-methods",
      "/api/collections/{collection}/auth-refresh",
      "/api/collections/{collection}/auth-with-password",
      "/api/collections/{collection}/request-otp",
      "/api/collections/{collection}/auth-with-otp",
      "/api/collections/{collection}/impersonate/{id}",
  };
  std::vector<Route> routes;
  for (const char* path : templates) {
    routes.push_back({Method::kGet, path, noop()});
    routes.push_back({Method::kPost, path, noop()});
  }
  return Router(std::move(routes));
}

void BM_RouterMatchStatic(benchmark::State& state) {
  Router router = pocketbase_like_router();
  for (auto _ : state) benchmark::DoNotOptimize(router.match(Method::kGet, "/api/health"));
}
BENCHMARK(BM_RouterMatchStatic);

void BM_RouterMatchRecord(benchmark::State& state) {
  Router router = pocketbase_like_router();
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        router.match(Method::kGet, "/api/collections/posts/records/p9x8y7w6v5u4t3s"));
  }
}
BENCHMARK(BM_RouterMatchRecord);

void BM_RouterMiss(benchmark::State& state) {
  Router router = pocketbase_like_router();
  for (auto _ : state) benchmark::DoNotOptimize(router.match(Method::kGet, "/api/nothing/here"));
}
BENCHMARK(BM_RouterMiss);

void BM_GenerateRequestId(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(generate_request_id());
}
BENCHMARK(BM_GenerateRequestId);

// A default-sized page (30 records) of a posts list.
std::string list_response_json() {
  std::string json = R"({"items":[)";
  for (int i = 0; i < 30; ++i) {
    json += R"({"collectionId":"pbc_896936744","collectionName":"posts","id":"p9x8y7w6v5u4t3)" +
            std::to_string(i % 10) + R"(","title":"Hello world, this is post number )" +
            std::to_string(i) +
            R"(","created":"2026-08-14 07:16:55.123Z","updated":"2026-08-14 07:16:55.123Z"},)";
  }
  json.back() = ']';
  json += R"(,"page":1,"perPage":30,"totalItems":30,"totalPages":1})";
  return json;
}

void BM_GzipListResponse(benchmark::State& state) {
  const std::string json = list_response_json();
  std::string out;
  for (auto _ : state) {
    out.clear();
    gzip_compress(json, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * json.size()));
}
BENCHMARK(BM_GzipListResponse);

// `?fields=id,title` on that page: parse the spec (per request) and project every item.
void BM_ProjectListFields(benchmark::State& state) {
  const std::string json = list_response_json();
  for (auto _ : state) {
    FieldsSpec fields = parse_fields("id,title");
    benchmark::DoNotOptimize(project_json(json, fields, true));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * json.size()));
}
BENCHMARK(BM_ProjectListFields);

// `?fields=title:excerpt(20,true)` on the same page: HTML-to-text and re-encoding per item.
void BM_ProjectListExcerpt(benchmark::State& state) {
  const std::string json = list_response_json();
  for (auto _ : state) {
    FieldsSpec fields = parse_fields("title:excerpt(20,true)");
    benchmark::DoNotOptimize(project_json(json, fields, true));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * json.size()));
}
BENCHMARK(BM_ProjectListExcerpt);

// The metrics hook of one request (request_metrics.hpp): two clock reads, a status-class counter
// and a latency bucket in the thread's own block; range(0) = 0 measures it with metrics off.
void BM_RequestMetrics(benchmark::State& state) {
  metrics::set_enabled(state.range(0) != 0);
  const std::size_t slot = route_slot(12);
  for (auto _ : state) {
    const RequestMeter meter;
    meter.finish(slot, 200);
  }
  metrics::set_enabled(true);
}
BENCHMARK(BM_RequestMetrics)->Arg(0)->Arg(1);

// The statement hook of the SQLite driver (connection.cpp): a clock read at each end and a bucket.
void BM_StatementMetrics(benchmark::State& state) {
  for (auto _ : state) {
    const auto started = std::chrono::steady_clock::now();
    const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::steady_clock::now() - started)
                             .count();
    metrics::local().statements[metrics::index(metrics::StatementKind::kRead)].observe(
        static_cast<std::uint64_t>(elapsed), metrics::kLatencyBoundsNs);
  }
}
BENCHMARK(BM_StatementMetrics);

// A child span's cost (core/span_scope.hpp) where a statement takes one: 0, no span cell
// (tracing off, or a thread outside any request); 1, a traced request that is not sampled; 2,
// a sampled one (ids, two clock reads, the name and one attribute, the span handed to a
// recorder that drops it).
class DiscardingRecorder final : public core::SpanRecorder {
 public:
  void record(core::Span span) noexcept override { benchmark::DoNotOptimize(span.span_id); }
};

void BM_SpanScope(benchmark::State& state) {
  DiscardingRecorder recorder;
  core::SpanCell cell;
  cell.current.trace_id = core::random_trace_id();
  cell.current.span_id = core::random_span_id();
  cell.current.recorder = state.range(0) == 2 ? &recorder : nullptr;
  std::optional<core::CellInstall> install;
  if (state.range(0) > 0) install.emplace(&cell);
  for (auto _ : state) {
    core::SpanScope span;
    if (span.start("SELECT posts", core::SpanKind::kClient)) span.set("db.system.name", "sqlite");
    benchmark::DoNotOptimize(span.active());
  }
}
BENCHMARK(BM_SpanScope)->Arg(0)->Arg(1)->Arg(2);

}  // namespace
}  // namespace basalt::http

BENCHMARK_MAIN();
