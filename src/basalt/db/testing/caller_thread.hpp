// CallerThread (tests only): a thread with its own io_context, standing in for a server
// worker. Coroutines are spawned on it before start(); the thread then runs every one of
// them up to its first suspension (for a write: until the job is queued), reports that
// through queued(), and keeps running until all of them have finished.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <thread>
#include <utility>

namespace basalt::db::testing {

class CallerThread {
 public:
  CallerThread() = default;
  ~CallerThread() {
    if (thread_.joinable()) thread_.join();
  }
  CallerThread(const CallerThread&) = delete;
  CallerThread& operator=(const CallerThread&) = delete;

  // Before start() only.
  template <typename T>
  std::future<T> spawn(boost::asio::awaitable<T> awaitable) {
    return boost::asio::co_spawn(context_, std::move(awaitable), boost::asio::use_future);
  }

  void start() {
    thread_ = std::thread([this] {
      context_.poll();  // every coroutine runs until it first waits
      queued_.set_value();
      context_.run();  // until every coroutine has finished
    });
  }

  // Blocks until every spawned coroutine has run up to its first suspension.
  void wait_queued() { queued_.get_future().wait(); }

  std::thread::id id() const noexcept { return thread_.get_id(); }
  void join() { thread_.join(); }

  boost::asio::io_context& context() noexcept { return context_; }

 private:
  boost::asio::io_context context_{1};
  std::promise<void> queued_;
  std::thread thread_;
};

}  // namespace basalt::db::testing
