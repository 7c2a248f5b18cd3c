// SingleFlight: concurrent requests for the same key share one run of the work - the first
// caller runs it, later callers wait for its outcome (per process, docs/files.md,
// "Thumbnails": two first requests for one thumbnail generate it once).
//
//   files::SingleFlight flights;
//   co_await flights.run(thumb_key, [&]() -> boost::asio::awaitable<void> { ... });
//
// Invariants:
//  1. For one key at most one work runs at a time; a caller arriving while it runs does not
//     start another, and gets its outcome: return, or the same exception rethrown.
//  2. A key is forgotten as soon as its work ends, so a later call runs the work again (the
//     caller checks first whether the result already exists; a failure is retried next time).
//  3. Waiters resume on their own executors (any worker thread), never inside the leader.
//
// Thread safety: run() may be called from any thread; mutex_ guards flights_.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace basalt::files {

class SingleFlight {
 public:
  // Runs `work()` (returning awaitable<void>) for `key`, or waits for the run in progress.
  template <typename Work>
  boost::asio::awaitable<void> run(const std::string& key, Work work);

  // Keys whose work is running (for tests).
  std::size_t in_flight() const;

 private:
  // A caller's completion: (error, lead). lead = true tells a caller it runs the work.
  using Handler = boost::asio::any_completion_handler<void(std::exception_ptr, bool)>;
  struct Waiter {
    Handler handler;
    boost::asio::any_io_executor work;  // keeps the caller's executor running (invariant 3)
  };

  // Leads `key` (no flight yet: starts one and completes `waiter` at once with lead = true)
  // or joins the flight in progress.
  void enter(const std::string& key, Waiter waiter);
  // Ends the flight of `key`, handing `error` (null: success) to every waiter.
  void finish(const std::string& key, std::exception_ptr error);
  static void complete(Waiter waiter, std::exception_ptr error, bool lead);

  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::vector<Waiter>> flights_;
};

template <typename Work>
boost::asio::awaitable<void> SingleFlight::run(const std::string& key, Work work) {
  // Rethrows the leader's exception for a waiter (use_awaitable throws a non-null first
  // argument).
  const bool lead = co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&,
                                                         void(std::exception_ptr, bool)>(
      [this, &key](auto handler) {
        auto tracked = boost::asio::prefer(boost::asio::get_associated_executor(handler),
                                           boost::asio::execution::outstanding_work.tracked);
        enter(key, Waiter{Handler(std::move(handler)), boost::asio::any_io_executor(tracked)});
      },
      boost::asio::use_awaitable);
  if (!lead) co_return;
  std::exception_ptr error;
  try {
    // Named, not a temporary of the co_await expression (GCC 12 destroys those too early).
    boost::asio::awaitable<void> running = work();
    co_await std::move(running);
  } catch (...) {
    error = std::current_exception();
  }
  finish(key, error);
  if (error) std::rethrow_exception(error);
}

}  // namespace basalt::files
