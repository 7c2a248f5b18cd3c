// CronScheduler: PocketBase's cron jobs (GET /api/crons) on top of the durable queue
// (docs/jobs.md, "Cron").
//
//   crons.add("__pbOTPCleanup__", "0 * * * *", [&] { ... });   // any time, any thread
//   crons.remove("__pbAutoBackup__");
//   co_await crons.run_now("__pbOTPCleanup__");                 // POST /api/crons/{id}
//
// The scheduler thread wakes at each minute of the clock and, for every cron whose next run
// (CronSchedule::next_after) has come, enqueues one job of kind "cron" with the dedupe key
// "cron:<id>:<scheduled minute, UTC yyyymmddhhmm>". Every instance on one database enqueues
// the same key, so exactly one row exists per cron and scheduled minute and exactly one runner
// runs it (multi-instance guarantee). A minute missed while the process was down or the
// thread was late is not caught up beyond the latest one (as PocketBase: a run per tick).
//
// A cron run is a job with one attempt: its function throwing is logged and counted
// (metrics "basalt_cron_runs"), and the next scheduled run is the retry, as in PocketBase. A
// run whose id is not registered on the instance that claimed it (removed meanwhile, or only
// registered on another instance) fails with a clear error.
//
// Thread safety: add(), remove(), list(), run_now() from any thread; functions run on the job
// runner's threads, possibly two different crons at once, never the same cron id twice at
// once on one instance.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "basalt/jobs/cron_schedule.hpp"
#include "basalt/jobs/job_runner.hpp"

namespace basalt::jobs {

inline constexpr std::string_view kCronJobKind = "cron";

struct CronEntry {
  std::string id;
  std::string expression;
};

class CronScheduler {
 public:
  // Registers the "cron" job kind on `runner` (so construct it before runner.start()).
  CronScheduler(JobRunner& runner, const core::Clock& clock);
  ~CronScheduler();
  CronScheduler(const CronScheduler&) = delete;
  CronScheduler& operator=(const CronScheduler&) = delete;

  // Registers `run` under `id`, replacing a cron of the same id. Throws std::invalid_argument
  // with PocketBase's wording for an invalid expression, or for an empty id.
  void add(std::string id, std::string expression, std::function<void()> run);
  void remove(const std::string& id);

  // Sorted as PocketBase's GET /api/crons: ids not starting with "__pb" by id, then the
  // "__pb" ones in the order they were first registered.
  std::vector<CronEntry> list() const;

  // Enqueues a run now (not deduplicated) and returns once it is stored: the run itself
  // happens on a runner thread. False for an unknown id. Any executor (a worker: the write
  // is a job on the writer, the worker is not held).
  boost::asio::awaitable<bool> run_now(std::string id);

  // Enqueues the runs due at `now` (the scheduler thread's step; tests call it with a manual
  // clock instead of starting the thread). Blocks for the enqueue writes.
  void tick(std::chrono::system_clock::time_point now);

  void start();
  void stop();  // idempotent

 private:
  struct Cron {
    std::string expression;
    CronSchedule schedule;
    std::shared_ptr<const std::function<void()>> run;
    std::uint64_t order;  // registration order of the id
    std::optional<std::chrono::system_clock::time_point> next;
  };

  void run_job(const ClaimedJob& job);
  void loop();

  JobRunner& runner_;
  const core::Clock& clock_;
  mutable std::mutex mutex_;  // guards crons_, orders_, stopping_
  std::map<std::string, Cron> crons_;
  std::map<std::string, std::uint64_t> orders_;  // first registration order per id
  std::uint64_t next_order_ = 0;
  std::map<std::string, std::unique_ptr<std::mutex>> running_;  // one run per id at once
  bool stopping_ = false;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace basalt::jobs
