// ThreadRunner: runs coroutines to completion on the calling thread, on an io_context it keeps
// between calls. For a long-lived thread that owns no executor and calls the database again
// and again (the outbox dispatcher and its delivery threads, the job dispatcher).
//
// Why it is kept: state is keyed by io_context. On PostgreSQL the database keeps one
// connection pool per io_context (db/postgres/pg_pool.hpp), so a context made per call would
// open a connection and close it again on every call: a backend start on the server each time,
// once a second per poller on an idle instance. With the context kept, the thread reuses its
// connection, and the pool is closed with the runner (its io_context going away closes it).
// core::run_blocking keeps one per calling thread for the threads that own none of their own.
//
// Invariants: one thread calls run() at a time (the owner; a thread_local runner is the usual
// form); run() is never called from inside a coroutine this runner is running (it would have
// to run the context it is running). Never on a worker thread: it blocks.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <utility>

namespace basalt::core {

class ThreadRunner {
 public:
  ThreadRunner() = default;
  ThreadRunner(const ThreadRunner&) = delete;
  ThreadRunner& operator=(const ThreadRunner&) = delete;

  // The coroutine's result, or its exception rethrown.
  template <typename T>
  T run(boost::asio::awaitable<T> awaitable) {
    auto result = boost::asio::co_spawn(context_, std::move(awaitable), boost::asio::use_future);
    context_.restart();  // a run() that ran out of work left the context stopped
    context_.run();
    return result.get();
  }

 private:
  boost::asio::io_context context_{1};
};

}  // namespace basalt::core
