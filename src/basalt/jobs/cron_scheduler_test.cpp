#include "basalt/jobs/cron_scheduler.hpp"

#include <gtest/gtest.h>

#include <future>

#include "basalt/jobs/job_test_databases.hpp"

namespace basalt::jobs {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;

class CronSchedulerTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    BASALT_JOB_BACKEND_OR_SKIP();
    backend_ = std::make_unique<testing::JobTestBackend>(GetParam());
  }
  // A whole minute: the schedules below fire at minute starts.
  core::ManualClock clock_{std::chrono::system_clock::time_point(std::chrono::hours(495'000))};
  std::unique_ptr<testing::JobTestBackend> backend_;
};

TEST_P(CronSchedulerTest, ListIsSortedAsPocketBaseSortsIt) {
  auto database = backend_->open();
  JobRunner runner(*database, clock_);
  CronScheduler crons(runner, clock_);
  crons.add("__pbLogsCleanup__", "0 */6 * * *", [] {});
  crons.add("zeta", "* * * * *", [] {});
  crons.add("__pbDBOptimize__", "0 0 * * *", [] {});
  crons.add("alpha", "@hourly", [] {});
  crons.add("__pbLogsCleanup__", "0 */6 * * *", [] {});  // a replacement keeps its place
  const auto list = crons.list();
  std::vector<std::string> ids;
  for (const auto& entry : list) ids.push_back(entry.id);
  EXPECT_EQ(ids,
            (std::vector<std::string>{"alpha", "zeta", "__pbLogsCleanup__", "__pbDBOptimize__"}));
  EXPECT_EQ(list[0].expression, "@hourly");
  crons.remove("zeta");
  EXPECT_EQ(crons.list().size(), 3U);
  EXPECT_FALSE(db::testing::sync_wait(crons.run_now("zeta")));
}

TEST_P(CronSchedulerTest, AnInvalidExpressionIsRefusedInPocketBaseWords) {
  auto database = backend_->open();
  JobRunner runner(*database, clock_);
  CronScheduler crons(runner, clock_);
  try {
    crons.add("x", "* * * * * *", [] {});
    FAIL() << "accepted";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("exactly 5 space separated segments"),
              std::string::npos);
  }
}

// Two instances on one database (two runners and two schedulers; on PostgreSQL two Database
// objects): each scheduled minute of a cron runs exactly once in all.
TEST_P(CronSchedulerTest, TwoSchedulersOnOneDatabaseRunEachScheduledMinuteOnce) {
  auto db_a = backend_->open();
  auto db_b = backend_->open();
  std::mutex mutex;
  std::condition_variable ran;
  int runs = 0;
  auto count = [&] {
    std::lock_guard lock(mutex);
    ++runs;
    ran.notify_all();
  };
  RunnerOptions options;
  options.poll = milliseconds(20);
  // The manual clock jumps 15 minutes in no time: leases must outlast that, or a run still in
  // progress would look abandoned and be taken over (lease expiry is job_store_test's).
  options.lease = std::chrono::hours(1);
  JobRunner runner_a(*db_a, clock_, options);
  JobRunner runner_b(*db_b, clock_, options);
  CronScheduler a(runner_a, clock_);
  CronScheduler b(runner_b, clock_);
  a.add("every-five", "*/5 * * * *", count);
  b.add("every-five", "*/5 * * * *", count);
  runner_a.start();
  runner_b.start();
  for (int step = 1; step <= 15; ++step) {
    clock_.advance(minutes(1));
    a.tick(clock_.now());
    b.tick(clock_.now());
    b.tick(clock_.now());  // a repeated tick of the same minute adds nothing
  }
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(ran.wait_for(lock, std::chrono::seconds(30), [&] { return runs >= 3; }));
  }
  runner_a.stop();
  runner_b.stop();
  EXPECT_EQ(runs, 3);  // minutes 5, 10 and 15
  const auto rows = db::testing::sync_wait(runner_a.store().list("", 100));
  EXPECT_EQ(rows.size(), 3U);
  for (const auto& row : rows) EXPECT_EQ(row.state, "done");
}

TEST_P(CronSchedulerTest, RunNowRunsTheCronInTheBackground) {
  auto database = backend_->open();
  RunnerOptions options;
  options.poll = milliseconds(20);
  JobRunner runner(*database, clock_, options);
  CronScheduler crons(runner, clock_);
  std::promise<void> ran;
  crons.add("__pbOTPCleanup__", "0 * * * *", [&] { ran.set_value(); });
  runner.start();
  ASSERT_TRUE(db::testing::sync_wait(crons.run_now("__pbOTPCleanup__")));
  EXPECT_EQ(ran.get_future().wait_for(std::chrono::seconds(30)), std::future_status::ready);
  runner.stop();
}

TEST_P(CronSchedulerTest, AThrowingCronFailsItsRunAndIsNotRetried) {
  auto database = backend_->open();
  std::promise<JobOutcome> outcome;
  RunnerOptions options;
  options.after_job = [&](const ClaimedJob&, const JobOutcome& o) { outcome.set_value(o); };
  JobRunner runner(*database, clock_, options);
  CronScheduler crons(runner, clock_);
  std::atomic<int> calls{0};
  crons.add("broken", "* * * * *", [&] {
    ++calls;
    throw std::runtime_error("nope");
  });
  runner.start();
  ASSERT_TRUE(db::testing::sync_wait(crons.run_now("broken")));
  auto result = outcome.get_future();
  ASSERT_EQ(result.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_EQ(result.get().error, "nope");
  runner.stop();
  const auto failed = db::testing::sync_wait(runner.store().list("failed", 10));
  ASSERT_EQ(failed.size(), 1U);
  EXPECT_EQ(failed[0].last_error, "nope");
  EXPECT_EQ(calls.load(), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, CronSchedulerTest, ::testing::Values("sqlite", "postgres"),
                         testing::backend_name);

}  // namespace
}  // namespace basalt::jobs
