#include "basalt/metrics/job_metrics.hpp"

#include <mutex>

namespace basalt::metrics {
namespace {

struct CronRuns {
  std::mutex mutex;
  std::map<std::pair<std::string, std::string>, std::uint64_t> runs;
};

CronRuns& cron_runs_store() {
  static CronRuns store;
  return store;
}

}  // namespace

JobGauges& job_gauges() noexcept {
  static JobGauges gauges;
  return gauges;
}

void count_cron_run(std::string_view id, bool succeeded) {
  CronRuns& store = cron_runs_store();
  std::lock_guard lock(store.mutex);
  ++store.runs[{std::string(id), succeeded ? "success" : "failure"}];
}

std::map<std::pair<std::string, std::string>, std::uint64_t> cron_runs() {
  CronRuns& store = cron_runs_store();
  std::lock_guard lock(store.mutex);
  return store.runs;
}

}  // namespace basalt::metrics
