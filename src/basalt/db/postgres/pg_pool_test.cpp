// WorkerPool and PoolDirectory against the real test server.
#include "basalt/db/postgres/pg_pool.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "basalt/core/api_error.hpp"
#include "basalt/db/database_error.hpp"
#include "basalt/db/testing/postgres_server.hpp"
#include "basalt/db/testing/sync_wait.hpp"

namespace basalt::db::postgres {
namespace {

namespace asio = boost::asio;
using db::testing::PostgresSchema;

std::shared_ptr<const ConnectionSettings> pool_settings(const std::string& url) {
  return std::make_shared<const ConnectionSettings>(
      connection_settings(url, std::chrono::seconds(5)));
}

// The status of the ApiError `run` throws, 0 when it throws none.
template <typename Run>
asio::awaitable<int> api_status_of(Run run) {
  try {
    co_await run();
  } catch (const core::ApiError& error) {
    co_return error.status();
  }
  co_return 0;
}

class PgPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BASALT_REQUIRE_POSTGRES();
    schema_ = std::make_unique<PostgresSchema>();
  }
  std::unique_ptr<PostgresSchema> schema_;
};

TEST_F(PgPoolTest, ABoundedPoolQueuesWaitersAndRefusesPastTheQueue) {
  asio::io_context context(1);
  PoolLimits limits;
  limits.max_connections = 1;
  limits.max_waiters = 1;
  auto pool =
      std::make_shared<WorkerPool>(context.get_executor(), pool_settings(schema_->url()), limits);
  int holder_pid = 0;
  int waiter_pid = 0;
  int third_status = 0;
  auto holder = [&]() -> asio::awaitable<void> {
    Lease lease = co_await pool->lend();
    holder_pid = lease->backend_pid();
    // Hold it across a real round trip, while the others ask.
    const Params none;
    const StatementRun plain;
    co_await lease->run("SELECT pg_sleep(0.2)", none, plain);
  };
  auto waiter = [&]() -> asio::awaitable<void> {
    Lease lease = co_await pool->lend();  // waits for the holder's connection
    waiter_pid = lease->backend_pid();
  };
  auto third = [&]() -> asio::awaitable<void> {
    third_status = co_await api_status_of([&]() -> asio::awaitable<void> {
      Lease lease = co_await pool->lend();  // one waiter already: 503 at once
    });
  };
  auto a = asio::co_spawn(context, holder(), asio::use_future);
  auto b = asio::co_spawn(context, waiter(), asio::use_future);
  auto c = asio::co_spawn(context, third(), asio::use_future);
  context.run();
  a.get();
  b.get();
  c.get();
  EXPECT_EQ(third_status, 503);
  EXPECT_NE(holder_pid, 0);
  EXPECT_EQ(waiter_pid, holder_pid);  // the same connection, handed over
  EXPECT_EQ(pool->open_count(), 1u);
  EXPECT_EQ(pool->idle_count(), 1u);
  pool->close();
}

TEST_F(PgPoolTest, AWaiterGivesUpAfterTheWaitTimeout) {
  asio::io_context context(1);
  PoolLimits limits;
  limits.max_connections = 1;
  limits.wait_timeout = std::chrono::milliseconds(50);
  auto pool =
      std::make_shared<WorkerPool>(context.get_executor(), pool_settings(schema_->url()), limits);
  int status = 0;
  auto run = [&]() -> asio::awaitable<void> {
    Lease held = co_await pool->lend();
    status = co_await api_status_of(
        [&]() -> asio::awaitable<void> { Lease second = co_await pool->lend(); });
  };
  auto done = asio::co_spawn(context, run(), asio::use_future);
  context.run();
  done.get();
  EXPECT_EQ(status, 503);
  EXPECT_EQ(pool->waiting_count(), 0u);
  pool->close();
}

TEST_F(PgPoolTest, ATerminatedIdleConnectionIsReplacedOnTheNextLend) {
  asio::io_context context(1);
  auto pool = std::make_shared<WorkerPool>(context.get_executor(), pool_settings(schema_->url()),
                                           PoolLimits{});
  int first_pid = 0;
  int second_pid = 0;
  std::int64_t answer = 0;
  auto run = [&]() -> asio::awaitable<void> {
    {
      Lease lease = co_await pool->lend();
      first_pid = lease->backend_pid();
    }
    db::testing::postgres_exec(db::testing::postgres_test_url(),
                               "SELECT pg_terminate_backend(" + std::to_string(first_pid) + ")");
    // Wait until the server reports the session gone, so that the pool's health check (not a
    // failing statement) is what notices.
    db::testing::postgres_exec(
        db::testing::postgres_test_url(),
        "DO $$ BEGIN WHILE EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = " +
            std::to_string(first_pid) + ") LOOP PERFORM pg_sleep(0.01); END LOOP; END $$");
    Lease lease = co_await pool->lend();
    second_pid = lease->backend_pid();
    const Params none;
    const StatementRun plain;
    ResultSet rows = co_await lease->run("SELECT 41 + 1", none, plain);
    answer = rows[0].as_int(0);
  };
  auto done = asio::co_spawn(context, run(), asio::use_future);
  context.run();
  done.get();
  EXPECT_NE(second_pid, first_pid);
  EXPECT_EQ(answer, 42);
  EXPECT_EQ(pool->open_count(), 1u);
  pool->close();
}

TEST_F(PgPoolTest, AFailedOpenIs503AndBacksOff) {
  asio::io_context context(1);
  PoolLimits limits;
  limits.backoff_min = std::chrono::seconds(30);  // no second try within the test
  auto pool = std::make_shared<WorkerPool>(
      context.get_executor(), pool_settings("postgresql://basalt@127.0.0.1:1/none"), limits);
  int first = 0;
  int second = 0;
  auto run = [&]() -> asio::awaitable<void> {
    first = co_await api_status_of([&]() -> asio::awaitable<void> { co_await pool->lend(); });
    second = co_await api_status_of([&]() -> asio::awaitable<void> { co_await pool->lend(); });
  };
  auto done = asio::co_spawn(context, run(), asio::use_future);
  context.run();
  done.get();
  EXPECT_EQ(first, 503);
  EXPECT_EQ(second, 503);
  EXPECT_EQ(pool->open_count(), 0u);
  pool->close();
}

TEST_F(PgPoolTest, TheDirectoryKeepsOnePoolPerIoContextAndForgetsDeadOnes) {
  auto directory = std::make_shared<PoolDirectory>(pool_settings(schema_->url()), PoolLimits{});
  std::shared_ptr<WorkerPool> first;
  {
    asio::io_context context(1);
    first = directory->pool_for(context.get_executor());
    EXPECT_EQ(directory->pool_for(context.get_executor()), first);
    auto lend = [&]() -> asio::awaitable<void> { Lease lease = co_await first->lend(); };
    auto done = asio::co_spawn(context, lend(), asio::use_future);
    context.run();
    done.get();
    EXPECT_EQ(first->idle_count(), 1u);
  }  // the io_context goes first: its pool is closed (its sockets were registered there)
  EXPECT_EQ(first->idle_count(), 0u);
  asio::io_context other(1);
  EXPECT_NE(directory->pool_for(other.get_executor()), first);
  directory->close();
  EXPECT_THROW(directory->pool_for(other.get_executor()), DatabaseError);
}

}  // namespace
}  // namespace basalt::db::postgres
