#include "basalt/jobs/job_store.hpp"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "basalt/jobs/job_test_databases.hpp"

namespace basalt::jobs {
namespace {

using db::testing::sync_wait;
using std::chrono::milliseconds;

class JobStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    BASALT_JOB_BACKEND_OR_SKIP();
    backend_ = std::make_unique<testing::JobTestBackend>(GetParam());
    database_ = backend_->open();
    store_ = std::make_unique<JobStore>(*database_, clock_,
                                        RetryPolicy{milliseconds(1000), milliseconds(8000)});
  }

  std::vector<ClaimedJob> claim(const std::string& owner, std::size_t n,
                                milliseconds lease = milliseconds(30000)) {
    Cycle cycle;
    cycle.claim = n;
    return sync_wait(store_->cycle(cycle, owner, lease));
  }
  void settle(const std::string& owner, JobOutcome outcome) {
    Cycle cycle;
    cycle.outcomes.push_back(std::move(outcome));
    sync_wait(store_->cycle(cycle, owner, milliseconds(30000)));
  }
  JobRow row(const std::string& id) {
    for (const JobRow& r : sync_wait(store_->list("", 100))) {
      if (r.id == id) return r;
    }
    ADD_FAILURE() << "no job " << id;
    return {};
  }
  bool enqueue(NewJob job) { return sync_wait(store_->enqueue(std::move(job))); }

  core::ManualClock clock_;
  std::unique_ptr<testing::JobTestBackend> backend_;
  std::shared_ptr<db::Database> database_;
  std::unique_ptr<JobStore> store_;
};

TEST_P(JobStoreTest, AJobIsClaimedOnceRunAndDone) {
  ASSERT_TRUE(enqueue({"greet", R"({"to":"ann"})"}));
  const auto claimed = claim("a", 10);
  ASSERT_EQ(claimed.size(), 1U);
  EXPECT_EQ(claimed[0].kind, "greet");
  EXPECT_EQ(claimed[0].payload, R"({"to":"ann"})");
  EXPECT_EQ(claimed[0].attempt, 1);
  EXPECT_EQ(claimed[0].max_attempts, 5);
  EXPECT_TRUE(claim("b", 10).empty());  // held under a's lease
  EXPECT_EQ(sync_wait(store_->counts()).running, 1);
  settle("a", {claimed[0].id, true, false, "", 1, 5});
  EXPECT_EQ(row(claimed[0].id).state, "done");
  EXPECT_TRUE(claim("b", 10).empty());
  const JobCounts counts = sync_wait(store_->counts());
  EXPECT_EQ(counts.queued + counts.running + counts.failed, 0);
}

TEST_P(JobStoreTest, ADedupeKeyInsertsOnce) {
  EXPECT_TRUE(enqueue({"cron", "{}", {}, 1, "cron:x:202601010000"}));
  EXPECT_FALSE(enqueue({"cron", "{}", {}, 1, "cron:x:202601010000"}));
  EXPECT_TRUE(enqueue({"cron", "{}", {}, 1, "cron:x:202601010001"}));
  EXPECT_TRUE(enqueue({"cron", "{}", {}, 1, std::nullopt}));
  EXPECT_TRUE(enqueue({"cron", "{}", {}, 1, std::nullopt}));
  EXPECT_EQ(sync_wait(store_->counts()).queued, 4);
}

TEST_P(JobStoreTest, AJobIsNotClaimedBeforeItsRunAt) {
  ASSERT_TRUE(enqueue({"later", "{}", clock_.now() + std::chrono::minutes(5)}));
  EXPECT_TRUE(claim("a", 1).empty());
  const JobStore::Due due = sync_wait(store_->due());
  EXPECT_FALSE(due.now);
  EXPECT_EQ(due.next, std::chrono::floor<milliseconds>(clock_.now() + std::chrono::minutes(5)));
  clock_.advance(std::chrono::minutes(5));
  EXPECT_TRUE(sync_wait(store_->due()).now);
  EXPECT_EQ(claim("a", 1).size(), 1U);
}

TEST_P(JobStoreTest, AnExpiredLeaseIsClaimedAgainAndTheOldOwnerChangesNothing) {
  ASSERT_TRUE(enqueue({"slow"}));
  const auto first = claim("dead", 1, milliseconds(1000));
  ASSERT_EQ(first.size(), 1U);
  clock_.advance(milliseconds(999));
  EXPECT_TRUE(claim("b", 1).empty());
  clock_.advance(milliseconds(2));
  const auto again = claim("b", 1);
  ASSERT_EQ(again.size(), 1U);
  EXPECT_EQ(again[0].id, first[0].id);
  EXPECT_EQ(again[0].attempt, 2);
  // The first runner comes back with an outcome: its lease is gone, so nothing changes.
  settle("dead", {first[0].id, true, false, "", 1, 5});
  EXPECT_EQ(row(first[0].id).state, "running");
  settle("b", {again[0].id, true, false, "", 2, 5});
  EXPECT_EQ(row(first[0].id).state, "done");
}

TEST_P(JobStoreTest, ARenewedLeaseKeepsTheJob) {
  ASSERT_TRUE(enqueue({"long"}));
  const auto claimed = claim("a", 1, milliseconds(1000));
  ASSERT_EQ(claimed.size(), 1U);
  clock_.advance(milliseconds(800));
  Cycle renew;
  renew.renew.push_back(claimed[0].id);
  sync_wait(store_->cycle(renew, "a", milliseconds(1000)));
  clock_.advance(milliseconds(800));
  EXPECT_TRUE(claim("b", 1).empty());
  clock_.advance(milliseconds(201));
  EXPECT_EQ(claim("b", 1).size(), 1U);
}

TEST_P(JobStoreTest, FailuresRetryWithBackoffThenFailForGood) {
  ASSERT_TRUE(enqueue({"flaky", "{}", {}, 3}));
  for (int attempt = 1; attempt <= 3; ++attempt) {
    const auto claimed = claim("a", 1);
    ASSERT_EQ(claimed.size(), 1U) << attempt;
    EXPECT_EQ(claimed[0].attempt, attempt);
    settle("a", {claimed[0].id, false, false, "boom " + std::to_string(attempt), attempt, 3});
    const JobRow r = row(claimed[0].id);
    EXPECT_EQ(r.last_error, "boom " + std::to_string(attempt));
    if (attempt == 3) {
      EXPECT_EQ(r.state, "failed");
      break;
    }
    EXPECT_EQ(r.state, "queued");
    // Attempt n waits between half and all of 1 s * 2^(n-1).
    const auto full = milliseconds(1000 << (attempt - 1));
    const auto now_ms =
        std::chrono::duration_cast<milliseconds>(clock_.now().time_since_epoch()).count();
    EXPECT_GE(r.run_at, now_ms + full.count() / 2);
    EXPECT_LE(r.run_at, now_ms + full.count());
    clock_.advance(full / 2 - milliseconds(1));
    EXPECT_TRUE(claim("a", 1).empty()) << "claimed before its backoff ended";
    clock_.advance(full / 2 + milliseconds(1));
  }
  EXPECT_TRUE(claim("a", 1).empty());
  EXPECT_EQ(sync_wait(store_->counts()).failed, 1);
}

TEST_P(JobStoreTest, APermanentErrorFailsAtOnce) {
  ASSERT_TRUE(enqueue({"bad"}));
  const auto claimed = claim("a", 1);
  ASSERT_EQ(claimed.size(), 1U);
  settle("a", {claimed[0].id, false, true, "no handler for job kind \"bad\"", 1, 5});
  EXPECT_EQ(row(claimed[0].id).state, "failed");
  EXPECT_EQ(row(claimed[0].id).last_error, "no handler for job kind \"bad\"");
}

TEST_P(JobStoreTest, ALeaseExpiredOnTheLastAttemptFailsTheJob) {
  ASSERT_TRUE(enqueue({"once", "{}", {}, 1}));
  ASSERT_EQ(claim("dead", 1, milliseconds(100)).size(), 1U);
  clock_.advance(milliseconds(101));
  EXPECT_TRUE(claim("b", 1).empty());
  const auto rows = sync_wait(store_->list("failed", 10));
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_NE(rows[0].last_error.find("lease expired"), std::string::npos);
}

TEST_P(JobStoreTest, ReleasedJobsGoBackToQueuedWithoutSpendingAnAttempt) {
  ASSERT_TRUE(enqueue({"x", "{}", {}, 1}));
  const auto claimed = claim("a", 1);
  ASSERT_EQ(claimed.size(), 1U);
  Cycle release;
  release.release.push_back(claimed[0].id);
  sync_wait(store_->cycle(release, "a", milliseconds(1000)));
  const auto again = claim("b", 1);
  ASSERT_EQ(again.size(), 1U);
  EXPECT_EQ(again[0].attempt, 1);
}

TEST_P(JobStoreTest, PruneDropsOldDoneRowsAndKeepsFailedOnesLonger) {
  ASSERT_TRUE(enqueue({"a", "{}", {}, 1}));
  ASSERT_TRUE(enqueue({"b", "{}", {}, 1}));
  auto claimed = claim("r", 2);
  ASSERT_EQ(claimed.size(), 2U);
  settle("r", {claimed[0].id, true, false, "", 1, 1});
  settle("r", {claimed[1].id, false, false, "x", 1, 1});
  clock_.advance(std::chrono::hours(2));
  EXPECT_EQ(sync_wait(store_->prune(std::chrono::hours(1), std::chrono::hours(3))), 1);
  EXPECT_EQ(sync_wait(store_->list("", 10)).size(), 1U);
  clock_.advance(std::chrono::hours(2));
  EXPECT_EQ(sync_wait(store_->prune(std::chrono::hours(1), std::chrono::hours(3))), 1);
  EXPECT_TRUE(sync_wait(store_->list("", 10)).empty());
}

TEST_P(JobStoreTest, BackoffDoublesUpToItsCapWithJitterOfAtMostHalf) {
  for (int attempt = 1; attempt <= 12; ++attempt) {
    const auto full = std::min(milliseconds(1000) * (1 << (attempt - 1)), milliseconds(8000));
    for (int i = 0; i < 50; ++i) {
      const auto delay = store_->backoff(attempt);
      EXPECT_LE(delay, full);
      EXPECT_GE(delay, full / 2);
    }
  }
}

// Two instances claiming at once (on PostgreSQL two Databases, each with its own connections;
// on SQLite two callers of the one writer): every job is claimed exactly once.
TEST_P(JobStoreTest, ConcurrentClaimersTakeDisjointJobs) {
  constexpr int kJobs = 40;
  for (int i = 0; i < kJobs; ++i) ASSERT_TRUE(enqueue({"n", std::to_string(i)}));
  std::shared_ptr<db::Database> other_db = backend_->open();
  JobStore other(*other_db, clock_);
  std::vector<std::string> taken[2];
  auto drain = [&](JobStore& store, const std::string& owner, std::vector<std::string>& out) {
    for (;;) {
      Cycle cycle;
      cycle.claim = 3;
      const auto claimed = sync_wait(store.cycle(cycle, owner, milliseconds(60000)));
      if (claimed.empty()) return;
      for (const auto& job : claimed) out.push_back(job.payload);
    }
  };
  std::thread a([&] { drain(*store_, "a", taken[0]); });
  std::thread b([&] { drain(other, "b", taken[1]); });
  a.join();
  b.join();
  std::set<std::string> all(taken[0].begin(), taken[0].end());
  all.insert(taken[1].begin(), taken[1].end());
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kJobs));
  EXPECT_EQ(taken[0].size() + taken[1].size(), static_cast<std::size_t>(kJobs));
}

INSTANTIATE_TEST_SUITE_P(Backends, JobStoreTest, ::testing::Values("sqlite", "postgres"),
                         testing::backend_name);

}  // namespace
}  // namespace basalt::jobs
