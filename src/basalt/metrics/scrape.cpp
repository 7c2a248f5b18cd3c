#include "basalt/metrics/scrape.hpp"

#include <array>
#include <vector>

#include "basalt/metrics/job_metrics.hpp"
#include "basalt/metrics/process_stats.hpp"
#include "basalt/metrics/registry.hpp"
#include "basalt/metrics/shared_gauges.hpp"

namespace basalt::metrics {
namespace {

constexpr std::array<std::string_view, kStatusClasses> kStatusNames{"1xx", "2xx", "3xx", "4xx",
                                                                    "5xx"};
constexpr std::array<std::string_view, index(StatementKind::kCount)> kStatementKinds{"read",
                                                                                     "write"};
constexpr std::array<std::string_view, index(Stream::kCount)> kTransports{"realtime", "graphql"};
constexpr std::array<std::string_view, index(Cache::kCountOf)> kCaches{"auth_record", "count",
                                                                       "plan"};
static_assert(std::tuple_size_v<decltype(SharedGauges::pool_queue_tasks)> == index(Pool::kCount),
              "a queue gauge per pool kind");
constexpr std::array<std::string_view, index(Pool::kCount)> kPools{"blocking", "read", "oauth2",
                                                                   "files", "backups"};
constexpr std::array<std::string_view, index(Refusal::kCount)> kLimiters{"rate_limits",
                                                                         "sign_in_throttle"};

template <std::size_t N>
std::array<double, N> seconds_of(const std::array<std::uint64_t, N>& ns) {
  std::array<double, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = static_cast<double>(ns[i]) / 1e9;
  return out;
}

template <std::size_t N>
std::array<double, N> plain_of(const std::array<std::uint64_t, N>& bounds) {
  std::array<double, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = static_cast<double>(bounds[i]);
  return out;
}

void write_http(Exposition& out, const Snapshot& snap) {
  const std::vector<SlotLabel> labels = http_slot_labels();
  const std::size_t slots = std::min(labels.size(), snap.http.size());
  out.family("basalt_http_requests", Type::kCounter,
             "HTTP requests answered, by method, route template and status class.");
  for (std::size_t s = 0; s < slots; ++s) {
    for (std::size_t c = 0; c < kStatusClasses; ++c) {
      if (snap.http[s].requests[c] == 0) continue;
      const Label l[] = {
          {"method", labels[s].method}, {"route", labels[s].route}, {"status", kStatusNames[c]}};
      out.sample(l, snap.http[s].requests[c]);
    }
  }
  static const auto bounds = seconds_of(kLatencyBoundsNs);
  out.family("basalt_http_request_duration_seconds", Type::kHistogram,
             "Time from a parsed request to its response being queued, by method and route "
             "template.");
  for (std::size_t s = 0; s < slots; ++s) {
    const auto& h = snap.http[s].duration;
    std::uint64_t total = 0;
    for (auto n : h.buckets) total += n;
    if (total == 0) continue;
    const Label l[] = {{"method", labels[s].method}, {"route", labels[s].route}};
    out.histogram(l, bounds, h.buckets, static_cast<double>(h.sum) / 1e9);
  }
}

void write_database(Exposition& out, const Snapshot& snap) {
  static const auto bounds = seconds_of(kLatencyBoundsNs);
  out.family("basalt_db_statement_duration_seconds", Type::kHistogram,
             "Time SQL statements took to run, by kind (read: read connections; write: the "
             "writer).");
  for (std::size_t k = 0; k < snap.statements.size(); ++k) {
    const Label l[] = {{"kind", kStatementKinds[k]}};
    out.histogram(l, bounds, snap.statements[k].buckets,
                  static_cast<double>(snap.statements[k].sum) / 1e9);
  }
  out.family("basalt_db_writer_queue_jobs", Type::kGauge,
             "Write jobs waiting for the single writer.");
  out.sample({}, shared_gauges().writer_queue_jobs.load(std::memory_order_relaxed));
  static const auto batch_bounds = plain_of(kBatchBounds);
  out.family("basalt_db_commit_batch_jobs", Type::kHistogram,
             "Write jobs per group-commit transaction.");
  out.histogram({}, batch_bounds, snap.commit_batch_jobs.buckets,
                static_cast<double>(snap.commit_batch_jobs.sum));
  out.family("basalt_db_transaction_retries", Type::kCounter,
             "Group-commit rounds run again after a job failed or SQLite abandoned the "
             "transaction.");
  out.sample({}, snap.transaction_retries);
}

void write_streams(Exposition& out, const Snapshot& snap) {
  out.family("basalt_subscription_clients", Type::kGauge,
             "Open subscription streams, by transport (realtime: /api/realtime; graphql: "
             "GraphQL WebSocket and SSE subscriptions).");
  for (std::size_t t = 0; t < kTransports.size(); ++t) {
    const Label l[] = {{"transport", kTransports[t]}};
    out.sample(l, snap.stream_clients[t]);
  }
  out.family("basalt_subscription_events", Type::kCounter,
             "Events sent to subscribers (delivered) or lost because a subscriber was too slow "
             "(dropped), by transport.");
  for (std::size_t t = 0; t < kTransports.size(); ++t) {
    const Label delivered[] = {{"transport", kTransports[t]}, {"outcome", "delivered"}};
    out.sample(delivered, snap.events_delivered[t]);
    const Label dropped[] = {{"transport", kTransports[t]}, {"outcome", "dropped"}};
    out.sample(dropped, snap.events_dropped[t]);
  }
}

void write_caches_and_auth(Exposition& out, const Snapshot& snap) {
  out.family("basalt_cache_hits", Type::kCounter, "Cache lookups that found an entry, by cache.");
  for (std::size_t c = 0; c < kCaches.size(); ++c) {
    const Label l[] = {{"cache", kCaches[c]}};
    out.sample(l, snap.cache_hits[c]);
  }
  out.family("basalt_cache_misses", Type::kCounter,
             "Cache lookups that found no usable entry, by cache.");
  for (std::size_t c = 0; c < kCaches.size(); ++c) {
    const Label l[] = {{"cache", kCaches[c]}};
    out.sample(l, snap.cache_misses[c]);
  }
  out.family("basalt_sign_in_failures", Type::kCounter,
             "Password sign-ins refused for a wrong identity or password.");
  out.sample({}, snap.sign_in_failures);
  out.family("basalt_rate_limit_refusals", Type::kCounter,
             "Requests refused with 429, by limiter (rate_limits: settings.rateLimits; "
             "sign_in_throttle: failed sign-in attempts).");
  for (std::size_t k = 0; k < kLimiters.size(); ++k) {
    const Label l[] = {{"limiter", kLimiters[k]}};
    out.sample(l, snap.refusals[k]);
  }
  const auto& queued = shared_gauges().pool_queue_tasks;
  const std::size_t blocking = index(Pool::kBlocking);
  out.family("basalt_blocking_pool_queue_tasks", Type::kGauge,
             "Tasks waiting for a thread of the blocking pool (password hashing, storage calls).");
  out.sample({}, queued[blocking].load(std::memory_order_relaxed));
  out.family("basalt_blocking_pool_tasks", Type::kCounter, "Tasks the blocking pool ran.");
  out.sample({}, snap.pool_tasks[blocking]);
}

void write_pools(Exposition& out, const Snapshot& snap) {
  const auto& queued = shared_gauges().pool_queue_tasks;
  out.family("basalt_pool_queue_tasks", Type::kGauge,
             "Tasks waiting for a thread, by pool (blocking, read, oauth2, files, backups).");
  for (std::size_t p = 0; p < kPools.size(); ++p) {
    const Label l[] = {{"pool", kPools[p]}};
    out.sample(l, queued[p].load(std::memory_order_relaxed));
  }
  out.family("basalt_pool_tasks", Type::kCounter, "Tasks a pool's threads took, by pool.");
  for (std::size_t p = 0; p < kPools.size(); ++p) {
    const Label l[] = {{"pool", kPools[p]}};
    out.sample(l, snap.pool_tasks[p]);
  }
  static const auto bounds = seconds_of(kLatencyBoundsNs);
  out.family("basalt_pool_wait_seconds", Type::kHistogram,
             "Time tasks waited in a pool's queue for a thread, by pool.");
  for (std::size_t p = 0; p < kPools.size(); ++p) {
    const Label l[] = {{"pool", kPools[p]}};
    out.histogram(l, bounds, snap.pool_wait[p].buckets,
                  static_cast<double>(snap.pool_wait[p].sum) / 1e9);
  }
  out.family("basalt_outbox_backlog_events", Type::kGauge,
             "Outbox events not yet delivered to every destination this instance owns.");
  out.sample({}, shared_gauges().outbox_backlog.load(std::memory_order_relaxed));
  out.family("basalt_outbox_lag_seconds", Type::kGauge,
             "Age of the oldest outbox event not yet delivered to a destination this instance "
             "owns.");
  out.sample({}, shared_gauges().outbox_lag_seconds.load(std::memory_order_relaxed));
  out.family("basalt_outbox_deliveries", Type::kCounter,
             "Delivery attempts of outbox events, by outcome.");
  static constexpr std::string_view kOutcomes[] = {"delivered", "retry", "rejected", "dead"};
  for (std::size_t k = 0; k < 4; ++k) {
    const Label l[] = {{"outcome", kOutcomes[k]}};
    out.sample(l, shared_gauges().outbox_deliveries[k].load(std::memory_order_relaxed));
  }
}

void write_process(Exposition& out, const Snapshot& snap) {
  const ProcessStats p = read_process_stats();
  if (p.cpu_seconds >= 0) {
    out.family("process_cpu_seconds", Type::kCounter, "User and system CPU time spent.");
    out.sample({}, p.cpu_seconds);
  }
  if (p.start_time_seconds >= 0) {
    out.family("process_start_time_seconds", Type::kGauge,
               "Start time of the process since the Unix epoch.");
    out.sample({}, p.start_time_seconds);
  }
  auto gauge = [&out](std::string_view name, std::string_view help, std::int64_t value) {
    if (value < 0) return;
    out.family(name, Type::kGauge, help);
    out.sample({}, value);
  };
  gauge("process_resident_memory_bytes", "Resident memory size.", p.resident_bytes);
  gauge("process_virtual_memory_bytes", "Virtual memory size.", p.virtual_bytes);
  gauge("basalt_process_rss_anon_bytes",
        "Resident anonymous memory (heap, stacks, caches): RssAnon.", p.rss_anon_bytes);
  gauge("basalt_process_rss_file_bytes",
        "Resident file-backed memory (the binary, SQLite's mmap): RssFile.", p.rss_file_bytes);
  gauge("process_open_fds", "Open file descriptors.", p.open_fds);
  gauge("process_max_fds", "Limit of open file descriptors.", p.max_fds);
  gauge("basalt_process_threads", "Threads of the process.", p.threads);
  gauge("basalt_metrics_thread_blocks", "Threads that have a metrics block.",
        static_cast<std::int64_t>(snap.threads));
  const BuildInfo info = build_info();
  out.family("basalt_build_info", Type::kGauge,
             "Always 1; the labels name the build: version, git commit, compiler.");
  const Label l[] = {
      {"version", info.version}, {"commit", info.commit}, {"compiler", info.compiler}};
  out.sample(l, std::int64_t{1});
}

void write_jobs(Exposition& out) {
  const JobGauges& gauges = job_gauges();
  out.family("basalt_jobs_queued", Type::kGauge,
             "Durable jobs waiting to run (every instance on the database).");
  out.sample({}, gauges.queued.load(std::memory_order_relaxed));
  out.family("basalt_jobs_running", Type::kGauge, "Durable jobs claimed by a runner.");
  out.sample({}, gauges.running.load(std::memory_order_relaxed));
  out.family("basalt_jobs_failed", Type::kGauge,
             "Durable jobs that failed for good and are kept for inspection.");
  out.sample({}, gauges.failed.load(std::memory_order_relaxed));
  out.family("basalt_cron_runs", Type::kCounter, "Cron job runs on this instance by outcome.");
  for (const auto& [key, runs] : cron_runs()) {
    const Label l[] = {{"id", key.first}, {"outcome", key.second}};
    out.sample(l, runs);
  }
}

}  // namespace

ScrapeResult scrape(Format format) {
  const Snapshot snap = snapshot();
  Exposition out(format);
  write_http(out, snap);
  write_database(out, snap);
  write_streams(out, snap);
  write_caches_and_auth(out, snap);
  write_pools(out, snap);
  write_jobs(out);
  write_process(out, snap);
  ScrapeResult result;
  result.content_type = std::string(out.content_type());
  result.body = out.finish();
  return result;
}

}  // namespace basalt::metrics
