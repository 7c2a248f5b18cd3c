#include "basalt/files/single_flight.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>

namespace basalt::files {
namespace {

namespace asio = boost::asio;

// The leader's work waits on a timer the test cancels when it wants the work to end, so the
// followers certainly arrive while it runs (no sleeps).
struct Gate {
  explicit Gate(asio::io_context& context)
      : timer(context, asio::steady_timer::time_point::max()) {}
  asio::awaitable<void> wait() {
    boost::system::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  asio::steady_timer timer;
};

TEST(SingleFlight, ConcurrentCallsForOneKeyRunTheWorkOnce) {
  asio::io_context context;
  SingleFlight flights;
  Gate gate(context);
  int runs = 0;
  int done = 0;
  auto work = [&]() -> asio::awaitable<void> {
    ++runs;
    co_await gate.wait();
  };
  for (int i = 0; i < 5; ++i) {
    asio::co_spawn(
        context,
        [&]() -> asio::awaitable<void> {
          co_await flights.run("thumb", work);
          ++done;
        },
        asio::detached);
  }
  // Everyone has entered once the queue is idle; then the work is released.
  context.poll();
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(flights.in_flight(), 1u);
  EXPECT_EQ(done, 0);
  gate.timer.cancel();
  context.run();
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(done, 5);
  EXPECT_EQ(flights.in_flight(), 0u);
}

TEST(SingleFlight, DifferentKeysRunSeparately) {
  asio::io_context context;
  SingleFlight flights;
  int runs = 0;
  auto work = [&]() -> asio::awaitable<void> {
    ++runs;
    co_return;
  };
  for (const char* key : {"a", "b", "c"}) {
    std::string name = key;
    asio::co_spawn(
        context, [&, name]() -> asio::awaitable<void> { co_await flights.run(name, work); },
        asio::detached);
  }
  context.run();
  EXPECT_EQ(runs, 3);
}

TEST(SingleFlight, WaitersGetTheLeadersErrorAndALaterCallRunsAgain) {
  asio::io_context context;
  SingleFlight flights;
  Gate gate(context);
  int runs = 0;
  int failures = 0;
  auto failing = [&]() -> asio::awaitable<void> {
    ++runs;
    co_await gate.wait();
    throw std::runtime_error("decode failed");
  };
  for (int i = 0; i < 3; ++i) {
    asio::co_spawn(
        context,
        [&]() -> asio::awaitable<void> {
          try {
            co_await flights.run("thumb", failing);
          } catch (const std::runtime_error& error) {
            if (std::string_view(error.what()) == "decode failed") ++failures;
          }
        },
        asio::detached);
  }
  context.poll();
  gate.timer.cancel();
  context.run();
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(failures, 3);

  // The key was forgotten: the next call leads and runs the work again.
  context.restart();
  bool ran_again = false;
  auto succeeding = [&]() -> asio::awaitable<void> {
    ran_again = true;
    co_return;
  };
  asio::co_spawn(
      context, [&]() -> asio::awaitable<void> { co_await flights.run("thumb", succeeding); },
      asio::detached);
  context.run();
  EXPECT_TRUE(ran_again);
}

}  // namespace
}  // namespace basalt::files
