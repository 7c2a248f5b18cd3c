// The durable jobs' figures (docs/jobs.md, "Metrics"): the queue's gauges, which the job
// runner's dispatcher refreshes from the `_jobs` table every maintenance pass (so they count
// the rows of every instance on the database), and the cron runs of this instance by cron id
// and outcome. Cron runs are rare (minutes apart), so they count under one mutex instead of
// per-thread blocks. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

namespace basalt::metrics {

struct JobGauges {
  std::atomic<std::int64_t> queued{0};
  std::atomic<std::int64_t> running{0};
  std::atomic<std::int64_t> failed{0};
};

JobGauges& job_gauges() noexcept;

// One finished cron run of this instance; `succeeded` false when its function threw.
void count_cron_run(std::string_view id, bool succeeded);

// (cron id, "success" | "failure") -> runs, for the scrape.
std::map<std::pair<std::string, std::string>, std::uint64_t> cron_runs();

}  // namespace basalt::metrics
