#include "basalt/jobs/job_runner.hpp"

#include <gtest/gtest.h>

#include <future>

#include "basalt/jobs/job_test_databases.hpp"

namespace basalt::jobs {
namespace {

using std::chrono::milliseconds;

// Collects outcomes as the runner reports them; wait_for() blocks until `n` have arrived (a
// bound for a hung test, not a timing assertion).
class OutcomeLog {
 public:
  void add(const ClaimedJob& job, const JobOutcome& outcome) {
    std::lock_guard lock(mutex_);
    entries_.push_back({job, outcome});
    changed_.notify_all();
  }
  std::vector<std::pair<ClaimedJob, JobOutcome>> wait_for(std::size_t n) {
    std::unique_lock lock(mutex_);
    const bool arrived =
        changed_.wait_for(lock, std::chrono::seconds(30), [&] { return entries_.size() >= n; });
    EXPECT_TRUE(arrived) << "only " << entries_.size() << " of " << n << " outcomes";
    return entries_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::pair<ClaimedJob, JobOutcome>> entries_;
};

class JobRunnerTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    BASALT_JOB_BACKEND_OR_SKIP();
    backend_ = std::make_unique<testing::JobTestBackend>(GetParam());
    database_ = backend_->open();
  }
  RunnerOptions options() {
    RunnerOptions o;
    o.threads = 2;
    o.retry = RetryPolicy{milliseconds(1), milliseconds(4)};
    o.after_job = [this](const ClaimedJob& job, const JobOutcome& outcome) {
      log_.add(job, outcome);
    };
    return o;
  }

  OutcomeLog log_;
  std::unique_ptr<testing::JobTestBackend> backend_;
  std::shared_ptr<db::Database> database_;
};

TEST_P(JobRunnerTest, HandlersRunOnRunnerThreadsAndJobsEndDone) {
  JobRunner runner(*database_, core::system_clock(), options());
  std::mutex mutex;
  std::vector<std::string> seen;
  runner.handle("echo", [&](const ClaimedJob& job) {
    std::lock_guard lock(mutex);
    seen.push_back(job.payload);
  });
  runner.start();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(runner.enqueue_blocking({"echo", std::to_string(i)}));
  const auto outcomes = log_.wait_for(5);
  for (const auto& [job, outcome] : outcomes) EXPECT_TRUE(outcome.succeeded) << outcome.error;
  runner.stop();
  EXPECT_EQ(seen.size(), 5U);
  const auto rows = db::testing::sync_wait(runner.store().list("done", 10));
  EXPECT_EQ(rows.size(), 5U);
}

TEST_P(JobRunnerTest, AnUnknownKindFailsWithAClearError) {
  JobRunner runner(*database_, core::system_clock(), options());
  runner.start();
  ASSERT_TRUE(runner.enqueue_blocking({"nobody-handles-this"}));
  const auto outcomes = log_.wait_for(1);
  EXPECT_FALSE(outcomes[0].second.succeeded);
  EXPECT_TRUE(outcomes[0].second.permanent);
  runner.stop();
  const auto failed = db::testing::sync_wait(runner.store().list("failed", 10));
  ASSERT_EQ(failed.size(), 1U);
  EXPECT_EQ(failed[0].last_error, "no handler for job kind \"nobody-handles-this\"");
}

TEST_P(JobRunnerTest, AThrowingHandlerIsRetriedUntilItSucceeds) {
  JobRunner runner(*database_, core::system_clock(), options());
  std::atomic<int> calls{0};
  runner.handle("flaky", [&](const ClaimedJob& job) {
    ++calls;
    if (job.attempt < 3) throw std::runtime_error("not yet");
  });
  runner.start();
  ASSERT_TRUE(runner.enqueue_blocking({"flaky", "{}", {}, 5}));
  const auto outcomes = log_.wait_for(3);
  EXPECT_FALSE(outcomes[0].second.succeeded);
  EXPECT_FALSE(outcomes[1].second.succeeded);
  EXPECT_TRUE(outcomes[2].second.succeeded);
  EXPECT_EQ(outcomes[2].first.attempt, 3);
  runner.stop();
  EXPECT_EQ(calls.load(), 3);
}

TEST_P(JobRunnerTest, APermanentErrorIsNotRetried) {
  JobRunner runner(*database_, core::system_clock(), options());
  runner.handle("bad", [](const ClaimedJob&) { throw PermanentJobError("refused"); });
  runner.start();
  ASSERT_TRUE(runner.enqueue_blocking({"bad", "{}", {}, 5}));
  log_.wait_for(1);
  runner.stop();
  const auto failed = db::testing::sync_wait(runner.store().list("failed", 10));
  ASSERT_EQ(failed.size(), 1U);
  EXPECT_EQ(failed[0].attempts, 1);
  EXPECT_EQ(failed[0].last_error, "refused");
}

// A runner that dies mid-job (its lease is never renewed nor settled) leaves the job to another
// runner once the lease expires: crash safety.
TEST_P(JobRunnerTest, AJobOfADeadRunnerRunsAgainAfterItsLease) {
  core::ManualClock clock;
  JobStore dead(*database_, clock);
  ASSERT_TRUE(db::testing::sync_wait(dead.enqueue({"work"})));
  Cycle cycle;
  cycle.claim = 1;
  ASSERT_EQ(db::testing::sync_wait(dead.cycle(cycle, "dead", milliseconds(1000))).size(), 1U);
  clock.advance(milliseconds(1001));
  RunnerOptions o = options();
  o.poll = milliseconds(20);
  JobRunner runner(*database_, clock, o);
  runner.handle("work", [](const ClaimedJob&) {});
  runner.start();
  const auto outcomes = log_.wait_for(1);
  EXPECT_TRUE(outcomes[0].second.succeeded);
  EXPECT_EQ(outcomes[0].first.attempt, 2);
  runner.stop();
}

INSTANTIATE_TEST_SUITE_P(Backends, JobRunnerTest, ::testing::Values("sqlite", "postgres"),
                         testing::backend_name);

}  // namespace
}  // namespace basalt::jobs
