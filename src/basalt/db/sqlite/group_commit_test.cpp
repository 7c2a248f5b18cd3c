// The writer's group commit: jobs queued together commit in one transaction, a failing job
// rolls back alone, callers resume on their own threads, and a transaction SQLite abandons
// is rerun for the jobs that did nothing wrong.
//
// Batching is made deterministic without sleeps: a "gate" job holds the writer thread while
// the caller threads queue their jobs (CallerThread::wait_queued), so all of them are taken
// as the next batch once the gate opens.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>
#include <stdexcept>
#include <thread>

#include "basalt/db/database_error.hpp"
#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/db/testing/caller_thread.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/db/testing/temp_dir.hpp"

namespace basalt::db {
namespace {

using boost::asio::awaitable;
using std::chrono::milliseconds;
using testing::CallerThread;
using testing::sync_wait;

// What a caller coroutine saw.
struct Outcome {
  bool resumed_on_own_thread = false;
  std::string error;  // empty when the write succeeded
  int status = 0;     // the ApiError status, when the error was one
};

awaitable<Outcome> write_and_report(Database& db, WriteJob job) {
  Outcome outcome;
  const std::thread::id before = std::this_thread::get_id();
  try {
    co_await db.write(std::move(job));
  } catch (const core::ApiError& error) {
    outcome.error = error.message();
    outcome.status = error.status();
  } catch (const std::exception& error) {
    outcome.error = error.what();
  }
  outcome.resumed_on_own_thread = std::this_thread::get_id() == before;
  co_return outcome;
}

WriteJob insert_job(std::string caller, std::int64_t n) {
  return [caller = std::move(caller), n](Transaction& tx) -> awaitable<void> {
    co_await tx.execute("INSERT INTO t (caller, n) VALUES (?1, ?2)", caller, n);
  };
}

// Holds the writer thread inside a job until open() is called.
class Gate {
 public:
  explicit Gate(Database& db) {
    thread_.spawn(db.write([this](Transaction&) -> awaitable<void> {
      entered_.set_value();
      release_.get_future().wait();
      co_return;
    }));
    thread_.start();
    entered_.get_future().wait();
  }
  void open() {
    release_.set_value();
    thread_.join();
  }

 private:
  std::promise<void> entered_;
  std::promise<void> release_;
  CallerThread thread_;
};

class GroupCommitTest : public ::testing::Test {
 protected:
  void open(milliseconds timeout = milliseconds(5000)) {
    SqliteOptions options;
    options.data_dir = dir_.str();
    options.statement_timeout = timeout;
    options.cache_bytes = 2 << 20;
    db_ = open_sqlite(options);
    sync_wait(db_->write([](Transaction& tx) -> awaitable<void> {
      co_await tx.execute(
          "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, caller TEXT NOT NULL, "
          "n INTEGER NOT NULL)");
    }));
  }

  std::int64_t count(std::string sql, Params params = {}) {
    return sync_wait(db_->query(sql, params))[0].as_int(0);
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(GroupCommitTest, JobsFromTwoThreadsCommitTogetherAndAFailingOneRollsBackAlone) {
  open();
  constexpr int kJobsPerThread = 50;
  constexpr int kFailing = 25;  // on thread "b"
  Gate gate(*db_);

  CallerThread a;
  CallerThread b;
  std::vector<std::future<Outcome>> outcomes_a;
  std::vector<std::future<Outcome>> outcomes_b;
  for (int i = 0; i < kJobsPerThread; ++i) {
    outcomes_a.push_back(a.spawn(write_and_report(*db_, insert_job("a", i))));
    WriteJob job = insert_job("b", i);
    if (i == kFailing) {
      job = [](Transaction& tx) -> awaitable<void> {
        co_await tx.execute("INSERT INTO t (caller, n) VALUES ('b', ?1)", kFailing);
        throw std::runtime_error("job failed on purpose");
      };
    }
    outcomes_b.push_back(b.spawn(write_and_report(*db_, std::move(job))));
  }
  a.start();
  b.start();
  a.wait_queued();
  b.wait_queued();
  gate.open();  // all 100 jobs are queued: they form the next batch

  for (auto& outcome : outcomes_a) {
    Outcome result = outcome.get();
    EXPECT_EQ(result.error, "");
    EXPECT_TRUE(result.resumed_on_own_thread);
  }
  for (int i = 0; i < kJobsPerThread; ++i) {
    Outcome result = outcomes_b[static_cast<std::size_t>(i)].get();
    EXPECT_EQ(result.error, i == kFailing ? "job failed on purpose" : "") << i;
    EXPECT_TRUE(result.resumed_on_own_thread);
  }
  EXPECT_EQ(count("SELECT count(*) FROM t"), 2 * kJobsPerThread - 1);
  EXPECT_EQ(count("SELECT count(*) FROM t WHERE caller = 'b' AND n = ?1", {std::int64_t{kFailing}}),
            0);
  EXPECT_EQ(
      count("SELECT count(*) FROM t WHERE caller = 'b' AND n = ?1", {std::int64_t{kFailing + 1}}),
      1);
}

TEST_F(GroupCommitTest, AbandonedTransactionIsRerunForTheInnocentJobs) {
  open(milliseconds(100));
  std::atomic<int> first_runs{0};
  std::atomic<int> last_runs{0};
  Gate gate(*db_);

  CallerThread caller;
  auto first = caller.spawn(write_and_report(*db_, [&](Transaction& tx) -> awaitable<void> {
    ++first_runs;
    co_await tx.execute("INSERT INTO t (caller, n) VALUES ('first', 1)");
  }));
  // A writing statement stopped by the budget: SQLite rolls back the whole transaction.
  auto endless = caller.spawn(write_and_report(*db_, [](Transaction& tx) -> awaitable<void> {
    co_await tx.execute(
        "INSERT INTO t (caller, n) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
        "FROM c WHERE x < 1000000000) SELECT 'endless', x FROM c");
  }));
  auto last = caller.spawn(write_and_report(*db_, [&](Transaction& tx) -> awaitable<void> {
    ++last_runs;
    co_await tx.execute("INSERT INTO t (caller, n) VALUES ('last', 3)");
  }));
  caller.start();
  caller.wait_queued();
  gate.open();

  EXPECT_EQ(first.get().error, "");
  Outcome stopped = endless.get();
  EXPECT_EQ(stopped.status, 400);
  EXPECT_EQ(stopped.error, kStatementTimeoutMessage);
  EXPECT_EQ(last.get().error, "");
  EXPECT_EQ(first_runs, 2);  // its first run was lost with the transaction
  EXPECT_EQ(last_runs, 1);   // not yet run when the transaction was lost
  EXPECT_EQ(count("SELECT count(*) FROM t WHERE caller = 'first'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM t WHERE caller = 'last'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM t WHERE caller = 'endless'"), 0);
}

TEST_F(GroupCommitTest, AJobThatSwallowsTheAbandonmentStillFails) {
  open(milliseconds(100));
  bool later_statement_refused = false;
  Outcome outcome = sync_wait(write_and_report(*db_, [&](Transaction& tx) -> awaitable<void> {
    try {
      co_await tx.execute(
          "INSERT INTO t (caller, n) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
          "FROM c WHERE x < 1000000000) SELECT 'endless', x FROM c");
    } catch (const core::ApiError&) {
    }
    try {
      co_await tx.execute("INSERT INTO t (caller, n) VALUES ('after', 1)");
    } catch (const DatabaseError&) {
      later_statement_refused = true;  // it would have committed on its own
    }
  }));
  EXPECT_EQ(outcome.status, 400);
  EXPECT_TRUE(later_statement_refused);
  EXPECT_EQ(count("SELECT count(*) FROM t"), 0);
}

TEST_F(GroupCommitTest, DeferredForeignKeyViolationFailsOnlyItsJob) {
  open();
  sync_wait(db_->write([](Transaction& tx) -> awaitable<void> {
    co_await tx.execute("CREATE TABLE parents (id INTEGER PRIMARY KEY)");
    co_await tx.execute(
        "CREATE TABLE children (parent INTEGER REFERENCES parents (id) DEFERRABLE INITIALLY "
        "DEFERRED)");
  }));
  Gate gate(*db_);
  CallerThread caller;
  auto before = caller.spawn(write_and_report(*db_, insert_job("before", 1)));
  auto dangling = caller.spawn(write_and_report(*db_, [](Transaction& tx) -> awaitable<void> {
    co_await tx.execute("INSERT INTO children (parent) VALUES (99)");
  }));
  auto fixed_up = caller.spawn(write_and_report(*db_, [](Transaction& tx) -> awaitable<void> {
    co_await tx.execute("INSERT INTO children (parent) VALUES (5)");
    co_await tx.execute("INSERT INTO parents (id) VALUES (5)");  // resolved before the end
  }));
  auto after = caller.spawn(write_and_report(*db_, insert_job("after", 2)));
  caller.start();
  caller.wait_queued();
  gate.open();

  EXPECT_EQ(before.get().error, "");
  EXPECT_NE(dangling.get().error.find("FOREIGN KEY constraint failed"), std::string::npos);
  EXPECT_EQ(fixed_up.get().error, "");
  EXPECT_EQ(after.get().error, "");
  EXPECT_EQ(count("SELECT count(*) FROM t"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM children"), 1);
}

TEST_F(GroupCommitTest, TwoFailingJobsOfOneBatchEachLeaveNothingAndTheOthersSeeNoTrace) {
  // The batch's first round runs without savepoints; the first failure reruns the others,
  // each in a savepoint, where the second failure is rolled back alone (invariant 3).
  open();
  Gate gate(*db_);
  CallerThread caller;
  std::int64_t seen_by_third = -1;  // overwritten by each run of that job
  auto failing = [](std::int64_t n) {
    return [n](Transaction& tx) -> awaitable<void> {
      co_await tx.execute("INSERT INTO t (caller, n) VALUES ('failing', ?1)", n);
      throw std::runtime_error("failed on purpose " + std::to_string(n));
    };
  };
  auto first = caller.spawn(write_and_report(*db_, insert_job("ok", 1)));
  auto second = caller.spawn(write_and_report(*db_, failing(2)));
  auto third = caller.spawn(write_and_report(*db_, [&](Transaction& tx) -> awaitable<void> {
    seen_by_third = (co_await tx.query("SELECT count(*) FROM t"))[0].as_int(0);
    co_await tx.execute("INSERT INTO t (caller, n) VALUES ('ok', 3)");
  }));
  auto fourth = caller.spawn(write_and_report(*db_, failing(4)));
  auto fifth = caller.spawn(write_and_report(*db_, insert_job("ok", 5)));
  caller.start();
  caller.wait_queued();
  gate.open();

  EXPECT_EQ(first.get().error, "");
  EXPECT_EQ(second.get().error, "failed on purpose 2");
  EXPECT_EQ(third.get().error, "");
  EXPECT_EQ(fourth.get().error, "failed on purpose 4");
  EXPECT_EQ(fifth.get().error, "");
  EXPECT_EQ(seen_by_third, 1);  // the first job's row, nothing of the second
  EXPECT_EQ(count("SELECT count(*) FROM t WHERE caller = 'ok'"), 3);
  EXPECT_EQ(count("SELECT count(*) FROM t WHERE caller = 'failing'"), 0);
}

TEST_F(GroupCommitTest, QueuedWritesFinishBeforeTheDatabaseCloses) {
  open();
  constexpr int kJobs = 20;
  auto gate = std::make_unique<Gate>(*db_);
  CallerThread caller;
  std::vector<std::future<Outcome>> outcomes;
  for (int i = 0; i < kJobs; ++i) {
    outcomes.push_back(caller.spawn(write_and_report(*db_, insert_job("queued", i))));
  }
  caller.start();
  caller.wait_queued();
  std::thread closer([&] { db_.reset(); });  // waits for the queue to drain
  gate->open();
  closer.join();
  for (auto& outcome : outcomes) EXPECT_EQ(outcome.get().error, "");

  open();  // the table exists already: reopen and count
  EXPECT_EQ(count("SELECT count(*) FROM t WHERE caller = 'queued'"), kJobs);
}

}  // namespace
}  // namespace basalt::db
