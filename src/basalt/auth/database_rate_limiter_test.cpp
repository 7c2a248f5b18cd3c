// DatabaseRateLimiter (the sign-in limits of the instances on one PostgreSQL database) on both
// engines: on SQLite always (a data directory of its own), on the PostgreSQL test server when
// BASALT_TEST_POSTGRES_URL is set (a schema of its own; skipped, saying so, without it). Two
// limiters of one name stand for two instances; on PostgreSQL they also have a Database (a
// pool) each. Time is a ManualClock the test moves.
#include "basalt/auth/database_rate_limiter.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "basalt/db/migrations.hpp"
#include "basalt/db/postgres/postgres_database.hpp"
#include "basalt/db/postgres/postgres_dialect.hpp"
#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/db/testing/postgres_server.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/db/testing/temp_dir.hpp"

namespace basalt::auth {
namespace {

using namespace std::chrono_literals;
using db::testing::sync_wait;

class DatabaseRateLimiterTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      BASALT_REQUIRE_POSTGRES();
      schema_.emplace();
    }
    first_ = open();
    const auto migrations = rate_limit_migrations(first_->dialect());
    sync_wait(db::apply_migrations(*first_, migrations));
    second_ = GetParam() == "postgres" ? open() : nullptr;
  }

  std::unique_ptr<db::Database> open() {
    if (GetParam() == "postgres") {
      db::PostgresOptions options;
      options.url = schema_->url();
      options.statement_timeout = 5s;
      return db::open_postgres(options, std::make_shared<db::PostgresDialect>());
    }
    db::SqliteOptions options;
    options.data_dir = directory_.str();
    options.statement_timeout = 5s;
    return db::open_sqlite(options);
  }

  // "Another instance": its own Database on PostgreSQL, the same one on SQLite (one process).
  db::Database& other() { return second_ ? *second_ : *first_; }

  Admission acquire(RateLimiter& limiter, const std::string& key) {
    return sync_wait(limiter.acquire(key, RateLimiter::Clock::time_point{}));
  }
  void release(RateLimiter& limiter, const std::string& key) {
    sync_wait(limiter.release(key, RateLimiter::Clock::time_point{}));
  }
  // Whether `count` attempts on the keys <prefix>0, <prefix>1, ... all pass. One coroutine:
  // on PostgreSQL one pool (per io_context) and its connection serve them all, as a worker's.
  bool acquire_all(RateLimiter& limiter, const std::string& prefix, int count) {
    return sync_wait([&]() -> boost::asio::awaitable<bool> {
      for (int i = 0; i < count; ++i) {
        const Admission admission =
            co_await limiter.acquire(prefix + std::to_string(i), RateLimiter::Clock::time_point{});
        if (!admission) co_return false;
      }
      co_return true;
    }());
  }
  std::int64_t rows() {
    return sync_wait(first_->query("SELECT count(*) FROM " +
                                   first_->dialect().quote_identifier(kRateLimitTable)))[0]
        .as_int(0);
  }

  db::testing::TempDir directory_;
  std::optional<db::testing::PostgresSchema> schema_;
  core::ManualClock clock_;
  std::unique_ptr<db::Database> first_;
  std::unique_ptr<db::Database> second_;
};

TEST_P(DatabaseRateLimiterTest, RefusesPastTheBurstAndSaysHowLongToWait) {
  DatabaseRateLimiter limiter(*first_, clock_, "sign-in", {5, 60s});  // one more every 12 s
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(acquire(limiter, "10.0.0.1")) << i;
  Admission refused = acquire(limiter, "10.0.0.1");
  EXPECT_FALSE(refused);
  EXPECT_EQ(refused.retry_after, 12s);
  clock_.advance(11s + 500ms);
  refused = acquire(limiter, "10.0.0.1");
  EXPECT_FALSE(refused);
  EXPECT_EQ(refused.retry_after, 1s);  // rounded up
  clock_.advance(500ms);
  EXPECT_TRUE(acquire(limiter, "10.0.0.1"));
  EXPECT_FALSE(acquire(limiter, "10.0.0.1"));
  EXPECT_TRUE(acquire(limiter, "10.0.0.2"));  // another key: untouched
}

TEST_P(DatabaseRateLimiterTest, TwoInstancesSpendOneBucket) {
  DatabaseRateLimiter on_a(*first_, clock_, "sign-in", {5, 60s});
  DatabaseRateLimiter on_b(other(), clock_, "sign-in", {5, 60s});
  DatabaseRateLimiter totp_on_b(other(), clock_, "totp", {5, 60s});
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(acquire(i % 2 == 0 ? on_a : on_b, "k")) << i;
  EXPECT_FALSE(acquire(on_a, "k"));
  EXPECT_FALSE(acquire(on_b, "k"));
  EXPECT_TRUE(acquire(totp_on_b, "k"));  // another limiter's key of the same text
  // A success on B (charged, then released) gives A nothing more and takes nothing away.
  release(on_b, "k");
  EXPECT_TRUE(acquire(on_a, "k"));
  EXPECT_FALSE(acquire(on_b, "k"));
}

TEST_P(DatabaseRateLimiterTest, LongKeysCountAsTheirDigestAndTheLimitCanBeOff) {
  DatabaseRateLimiter limiter(*first_, clock_, "sign-in", {1, 60s});
  const std::string long_key(5000, 'x');
  EXPECT_TRUE(acquire(limiter, long_key));
  EXPECT_FALSE(acquire(limiter, long_key));
  EXPECT_TRUE(acquire(limiter, long_key + "y"));
  DatabaseRateLimiter off(*first_, clock_, "off", {0, 60s});
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(acquire(off, "k"));
  EXPECT_EQ(rows(), 2);  // nothing written while off
}

TEST_P(DatabaseRateLimiterTest, DrainedRowsAreSweptAsNewOnesComeIn) {
  DatabaseRateLimiter limiter(*first_, clock_, "sign-in", {5, 60s});
  ASSERT_TRUE(acquire_all(limiter, "old", 300));
  EXPECT_EQ(rows(), 300);
  clock_.advance(61s);  // every old key has drained
  // The 512th acquisition sweeps: the 300 drained rows go, the live new ones stay.
  ASSERT_TRUE(acquire_all(limiter, "new", 256));
  EXPECT_EQ(rows(), 256);
}

// Many attempts at once on two instances (PostgreSQL: two pools, concurrent transactions):
// exactly the burst passes, however they interleave.
TEST_P(DatabaseRateLimiterTest, ConcurrentAttemptsOnTwoInstancesPassExactlyTheBurst) {
  DatabaseRateLimiter on_a(*first_, clock_, "sign-in", {5, 60s});
  DatabaseRateLimiter on_b(other(), clock_, "sign-in", {5, 60s});
  boost::asio::io_context context;
  std::vector<std::future<Admission>> answers;
  for (int i = 0; i < 12; ++i) {
    RateLimiter& limiter = i % 2 == 0 ? static_cast<RateLimiter&>(on_a) : on_b;
    answers.push_back(boost::asio::co_spawn(
        context, limiter.acquire("10.0.0.9", RateLimiter::Clock::time_point{}),
        boost::asio::use_future));
  }
  context.run();
  int allowed = 0;
  for (auto& answer : answers) allowed += answer.get() ? 1 : 0;
  EXPECT_EQ(allowed, 5);
}

INSTANTIATE_TEST_SUITE_P(Engines, DatabaseRateLimiterTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace basalt::auth
