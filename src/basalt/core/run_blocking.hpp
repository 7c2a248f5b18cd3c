// run_blocking: runs a coroutine to completion on the calling thread, returning its result or
// rethrowing its exception. For threads that own no io_context: startup and CLI commands, a
// dispatcher's stop, tests. Never on a worker thread, where it would stall every connection
// the thread serves.
//
// Each thread's calls share one io_context, kept for the thread's life (a core::ThreadRunner):
// on PostgreSQL the database keeps a connection pool per io_context, so a context made per
// call opened and closed a connection on every call (a server start ran 17 of them, a CLI
// command 11; each costs the database server a backend start). The cost is one idle pooled
// connection per thread that has called it, closed with the database. A call made from inside
// a coroutine that run_blocking is running on the same thread gets a private context instead
// (the kept one is busy running the outer call).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <utility>

#include "basalt/core/thread_runner.hpp"

namespace basalt::core {

namespace detail {
struct CallingThreadRunner {
  ThreadRunner runner;
  int depth = 0;  // run_blocking calls in progress on this thread
};
inline thread_local CallingThreadRunner calling_thread_runner;
}  // namespace detail

template <typename T>
T run_blocking(boost::asio::awaitable<T> awaitable) {
  detail::CallingThreadRunner& own = detail::calling_thread_runner;
  if (own.depth > 0) {
    ThreadRunner nested;
    return nested.run(std::move(awaitable));
  }
  struct Depth {
    int& depth;
    explicit Depth(int& d) : depth(++d) {}
    ~Depth() { --depth; }
  } in_call(own.depth);
  return own.runner.run(std::move(awaitable));
}

}  // namespace basalt::core
