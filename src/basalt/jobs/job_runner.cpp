#include "basalt/jobs/job_runner.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

#include "basalt/core/run_blocking.hpp"
#include "basalt/core/thread_runner.hpp"
#include "basalt/metrics/job_metrics.hpp"
#include "basalt/schema/ids.hpp"

namespace basalt::jobs {
namespace {

constexpr std::size_t kPrunePage = 500;

}  // namespace

JobRunner::JobRunner(db::Database& database, const core::Clock& clock, RunnerOptions options)
    : clock_(clock),
      options_(std::move(options)),
      owner_(options_.owner.empty() ? "runner-" + schema::random_string(12) : options_.owner),
      store_(database, clock, options_.retry) {}

JobRunner::~JobRunner() {
  stop();
}

void JobRunner::handle(std::string kind, JobHandler handler) {
  std::lock_guard lock(mutex_);
  if (started_) throw std::logic_error("JobRunner::handle after start()");
  handlers_[std::move(kind)] = std::move(handler);
}

void JobRunner::start() {
  std::lock_guard lock(mutex_);
  if (started_) return;
  started_ = true;
  for (unsigned i = 0; i < std::max(1U, options_.threads); ++i) {
    runners_.emplace_back([this] { run_loop(); });
  }
  dispatcher_ = std::thread([this] { dispatch_loop(); });
}

void JobRunner::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  runners_wake_.notify_all();
  for (std::thread& runner : runners_) runner.join();  // handlers in progress finish
  {
    std::lock_guard lock(mutex_);
    runners_joined_ = true;
  }
  dispatcher_wake_.notify_all();
  if (dispatcher_.joinable()) dispatcher_.join();  // writes their outcomes, releases the rest
}

void JobRunner::wake() {
  {
    std::lock_guard lock(mutex_);
    poke_ = true;
  }
  dispatcher_wake_.notify_one();
}

boost::asio::awaitable<bool> JobRunner::enqueue(NewJob job) {
  const bool inserted = co_await store_.enqueue(std::move(job));
  if (inserted) wake();
  co_return inserted;
}

bool JobRunner::enqueue_blocking(NewJob job) {
  // run_blocking keeps one io_context per calling thread: the mail outbox's and the cron
  // scheduler's enqueues reuse their connections.
  return core::run_blocking(enqueue(std::move(job)));
}

JobOutcome JobRunner::run_one(const ClaimedJob& job) {
  JobOutcome outcome{job.id, false, false, "", job.attempt, job.max_attempts};
  const auto handler = handlers_.find(job.kind);
  if (handler == handlers_.end()) {
    outcome.permanent = true;
    outcome.error = "no handler for job kind \"" + job.kind + "\"";
    return outcome;
  }
  try {
    handler->second(job);
    outcome.succeeded = true;
  } catch (const PermanentJobError& error) {
    outcome.permanent = true;
    outcome.error = error.what();
  } catch (const std::exception& error) {
    outcome.error = error.what();
  } catch (...) {
    outcome.error = "unknown exception";
  }
  return outcome;
}

void JobRunner::run_loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    runners_wake_.wait(lock, [this] { return stopping_ || !ready_.empty(); });
    if (stopping_) return;  // jobs still in ready_ are released by the dispatcher
    ClaimedJob job = std::move(ready_.front());
    ready_.pop_front();
    lock.unlock();
    const JobOutcome outcome = run_one(job);
    if (!outcome.succeeded) {
      spdlog::warn(
          "jobs: a {} job failed (attempt {} of {}{}): {}", job.kind, job.attempt, job.max_attempts,
          outcome.permanent || job.attempt >= job.max_attempts ? ", giving up" : "", outcome.error);
    }
    if (options_.after_job) options_.after_job(job, outcome);
    lock.lock();
    finished_.push_back(outcome);
    poke_ = true;
    dispatcher_wake_.notify_one();
  }
}

void JobRunner::dispatch_loop() {
  core::ThreadRunner runner;
  const unsigned threads = std::max(1U, options_.threads);
  const auto half_lease = options_.lease / 2;
  auto next_maintenance = std::chrono::steady_clock::now();
  for (;;) {
    Cycle cycle;
    bool final = false;
    {
      std::unique_lock lock(mutex_);
      final = runners_joined_;
      cycle.outcomes = std::move(finished_);
      finished_.clear();
      for (const JobOutcome& outcome : cycle.outcomes) active_.erase(outcome.id);
      const auto now = std::chrono::steady_clock::now();
      for (auto& [id, running] : active_) {
        if (now - running.renewed >= half_lease) {
          cycle.renew.push_back(id);
          running.renewed = now;
        }
      }
      if (final) {
        for (const ClaimedJob& job : ready_) {
          cycle.release.push_back(job.id);
          active_.erase(job.id);
          cycle.renew.erase(std::remove(cycle.renew.begin(), cycle.renew.end(), job.id),
                            cycle.renew.end());
        }
        ready_.clear();
      }
      poke_ = false;
      cycle.claim = stopping_ ? 0 : threads - std::min<std::size_t>(threads, active_.size());
    }

    JobStore::Due due;
    bool cycle_failed = false;
    try {
      if (cycle.claim > 0) due = runner.run(store_.due());
      if (!due.now) cycle.claim = 0;
      if (!cycle.outcomes.empty() || !cycle.renew.empty() || !cycle.release.empty() ||
          cycle.claim > 0) {
        std::vector<ClaimedJob> claimed = runner.run(store_.cycle(cycle, owner_, options_.lease));
        std::lock_guard lock(mutex_);
        const auto now = std::chrono::steady_clock::now();
        for (ClaimedJob& job : claimed) {
          active_[job.id] = Running{job, now};
          ready_.push_back(std::move(job));
        }
        // A full claim may have left more due jobs behind: look again once a thread is free.
        if (!claimed.empty()) runners_wake_.notify_all();
      }
    } catch (const std::exception& error) {
      // The outcomes stay unwritten: put them back for the next cycle. Leases held here are
      // renewed then too (or expire and the jobs run again elsewhere: at least once).
      spdlog::warn("jobs: a queue cycle failed: {}", error.what());
      cycle_failed = true;
      std::lock_guard lock(mutex_);
      for (JobOutcome& outcome : cycle.outcomes) {
        active_.emplace(outcome.id,
                        Running{ClaimedJob{outcome.id}, std::chrono::steady_clock::now()});
        finished_.push_back(std::move(outcome));
      }
      if (final) return;
    }
    if (final) return;

    if (std::chrono::steady_clock::now() >= next_maintenance) {
      next_maintenance = std::chrono::steady_clock::now() + options_.maintenance;
      try {
        // Pages of 500 rows per state, each its own short write, up to 20 pages a pass (200,000
        // rows an hour at most: far above the jobs this instance settles in that time).
        for (int page = 0; page < 20; ++page) {
          const std::int64_t removed =
              runner.run(store_.prune(options_.keep_done, options_.keep_failed, kPrunePage));
          if (removed < static_cast<std::int64_t>(kPrunePage)) break;
        }
        const JobCounts counts = runner.run(store_.counts());
        metrics::JobGauges& gauges = metrics::job_gauges();
        gauges.queued.store(counts.queued, std::memory_order_relaxed);
        gauges.running.store(counts.running, std::memory_order_relaxed);
        gauges.failed.store(counts.failed, std::memory_order_relaxed);
      } catch (const std::exception& error) {
        spdlog::warn("jobs: pruning the job table failed: {}", error.what());
      }
    }

    // Settled outcomes may have queued retries that are due before the read above knew of them:
    // look again at once instead of sleeping.
    if (!cycle_failed && !cycle.outcomes.empty()) continue;

    std::unique_lock lock(mutex_);
    auto deadline = std::chrono::steady_clock::now() + options_.poll;
    if (!active_.empty()) {
      auto oldest = std::chrono::steady_clock::time_point::max();
      for (const auto& [id, running] : active_) oldest = std::min(oldest, running.renewed);
      deadline = std::min(deadline, oldest + half_lease);
    }
    if (due.next != std::chrono::system_clock::time_point{}) {
      const auto until = due.next - clock_.now();
      deadline =
          std::min(deadline, std::chrono::steady_clock::now() +
                                 std::chrono::duration_cast<std::chrono::milliseconds>(until));
    }
    deadline = std::min(deadline, next_maintenance);
    if (cycle_failed) {
      // The database failed: try again after a poll interval, not at once (the outcomes put
      // back would otherwise wake this loop immediately).
      dispatcher_wake_.wait_for(lock, options_.poll, [this] { return runners_joined_; });
      continue;
    }
    dispatcher_wake_.wait_until(lock, deadline,
                                [this] { return runners_joined_ || poke_ || !finished_.empty(); });
  }
}

}  // namespace basalt::jobs
