// BlockingPool with real threads: where the work runs and where the caller resumes, results and
// exceptions carried back, saturation and stop() failing queued work with 503. Tasks that must
// stay busy wait on a future the test releases; nothing sleeps.
#include "basalt/core/blocking_pool.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "basalt/core/api_error.hpp"

namespace basalt::core {
namespace {

namespace asio = boost::asio;

// What one awaiting coroutine saw.
struct Seen {
  std::optional<int> value;
  int error_status = 0;  // ApiError status, or -1 for any other exception
  std::string error_message;
  std::thread::id resumed_on;
};

asio::awaitable<void> await_value(BlockingPool& pool, std::function<int()> job, Seen& seen) {
  try {
    seen.value = co_await pool.run(std::move(job));
  } catch (const ApiError& error) {
    seen.error_status = error.status();
    seen.error_message = error.message();
  } catch (const std::exception& error) {
    seen.error_status = -1;
    seen.error_message = error.what();
  }
  seen.resumed_on = std::this_thread::get_id();
}

// A job that reports when it started and then holds its pool thread until released.
class HeldJob {
 public:
  std::function<int()> job(int result) {
    return [this, result] {
      started_.set_value();
      release_future_.wait();
      return result;
    };
  }
  void wait_started() { started_.get_future().wait(); }
  void release() { release_.set_value(); }

 private:
  std::promise<void> started_;
  std::promise<void> release_;
  std::shared_future<void> release_future_ = release_.get_future().share();
};

TEST(BlockingPoolTest, RunsOnAPoolThreadAndResumesOnTheCallersThread) {
  BlockingPool pool({.threads = 2, .max_queued = 4});
  asio::io_context context;
  std::thread::id ran_on;
  Seen seen;
  asio::co_spawn(context,
                 await_value(
                     pool,
                     [&] {
                       ran_on = std::this_thread::get_id();
                       return 42;
                     },
                     seen),
                 asio::detached);
  context.run();  // returns only once the coroutine finished: the task held the context's work

  EXPECT_EQ(seen.value, 42);
  EXPECT_NE(ran_on, std::this_thread::get_id());
  EXPECT_NE(ran_on, std::thread::id());
  EXPECT_EQ(seen.resumed_on, std::this_thread::get_id());
}

TEST(BlockingPoolTest, VoidTasksAndMoveOnlyResults) {
  BlockingPool pool({.threads = 1, .max_queued = 4});
  asio::io_context context;
  bool ran = false;
  std::unique_ptr<std::string> moved;
  asio::co_spawn(
      context,
      [&]() -> asio::awaitable<void> {
        co_await pool.run([&] { ran = true; });
        moved = co_await pool.run([] { return std::make_unique<std::string>("moved"); });
      },
      asio::detached);
  context.run();
  EXPECT_TRUE(ran);
  ASSERT_TRUE(moved);
  EXPECT_EQ(*moved, "moved");
}

TEST(BlockingPoolTest, ExceptionsReachTheCallerWithTheirType) {
  BlockingPool pool({.threads = 1, .max_queued = 4});
  asio::io_context context;
  Seen plain;
  Seen api;
  asio::co_spawn(context,
                 await_value(
                     pool, []() -> int { throw std::runtime_error("hash failed"); }, plain),
                 asio::detached);
  asio::co_spawn(context,
                 await_value(
                     pool, []() -> int { throw ApiError::bad_request("nope"); }, api),
                 asio::detached);
  context.run();

  EXPECT_EQ(plain.error_status, -1);
  EXPECT_EQ(plain.error_message, "hash failed");
  EXPECT_EQ(plain.resumed_on, std::this_thread::get_id());
  EXPECT_EQ(api.error_status, 400);
  EXPECT_EQ(api.error_message, "nope");
}

TEST(BlockingPoolTest, AFullQueueFailsWith503WithoutRunningTheTask) {
  BlockingPool pool({.threads = 1, .max_queued = 1});
  asio::io_context context;
  HeldJob held;
  Seen running, queued, rejected;
  bool rejected_ran = false;

  asio::co_spawn(context, await_value(pool, held.job(1), running), asio::detached);
  context.poll();       // the coroutine submits its task
  held.wait_started();  // the only thread is now busy, the queue empty
  asio::co_spawn(context,
                 await_value(
                     pool, [] { return 2; }, queued),
                 asio::detached);
  asio::co_spawn(context,
                 await_value(
                     pool,
                     [&] {
                       rejected_ran = true;
                       return 3;
                     },
                     rejected),
                 asio::detached);
  context.poll();  // both submit: one fills the queue, one is turned away
  held.release();
  context.run();

  EXPECT_EQ(running.value, 1);
  EXPECT_EQ(queued.value, 2);
  EXPECT_FALSE(rejected.value);
  EXPECT_EQ(rejected.error_status, 503);
  EXPECT_EQ(rejected.error_message, default_error_message(503));
  EXPECT_EQ(rejected.resumed_on, std::this_thread::get_id());
  EXPECT_FALSE(rejected_ran);
}

TEST(BlockingPoolTest, StopFailsQueuedWorkAndLetsRunningWorkFinish) {
  BlockingPool pool({.threads = 1, .max_queued = 8});
  asio::io_context context;
  HeldJob held;
  Seen running, queued, late;
  bool queued_ran = false;

  asio::co_spawn(context, await_value(pool, held.job(1), running), asio::detached);
  context.poll();
  held.wait_started();
  asio::co_spawn(context,
                 await_value(
                     pool,
                     [&] {
                       queued_ran = true;
                       return 2;
                     },
                     queued),
                 asio::detached);
  context.poll();
  pool.stop();
  asio::co_spawn(context,
                 await_value(
                     pool, [] { return 3; }, late),
                 asio::detached);
  held.release();
  context.run();
  pool.shutdown();

  EXPECT_EQ(running.value, 1);
  EXPECT_EQ(queued.error_status, 503);
  EXPECT_FALSE(queued_ran);
  EXPECT_EQ(late.error_status, 503);
}

TEST(BlockingPoolTest, ManyCallersFromSeveralContextsEachGetTheirOwnResult) {
  BlockingPool pool({.threads = 2, .max_queued = 1000});
  constexpr int kContexts = 3;
  constexpr int kCallsPerContext = 50;
  std::vector<std::vector<Seen>> seen(kContexts, std::vector<Seen>(kCallsPerContext));
  std::vector<std::thread::id> context_threads(kContexts);
  std::vector<std::thread> threads;
  for (int c = 0; c < kContexts; ++c) {
    threads.emplace_back([&, c] {
      context_threads[c] = std::this_thread::get_id();
      asio::io_context context;
      for (int i = 0; i < kCallsPerContext; ++i) {
        int expected = c * 1000 + i;
        asio::co_spawn(context,
                       await_value(
                           pool, [expected] { return expected; }, seen[c][i]),
                       asio::detached);
      }
      context.run();
    });
  }
  for (auto& thread : threads) thread.join();

  for (int c = 0; c < kContexts; ++c) {
    for (int i = 0; i < kCallsPerContext; ++i) {
      EXPECT_EQ(seen[c][i].value, c * 1000 + i);
      EXPECT_EQ(seen[c][i].resumed_on, context_threads[c]);
    }
  }
}

TEST(BlockingPoolTest, ZeroThreadsIsRejected) {
  EXPECT_THROW(BlockingPool({.threads = 0, .max_queued = 1}), std::invalid_argument);
}

}  // namespace
}  // namespace basalt::core
