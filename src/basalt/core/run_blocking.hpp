// run_blocking: runs a coroutine to completion on a private io_context on the calling thread,
// returning its result or rethrowing its exception. For threads that own no io_context:
// startup and CLI commands, the outbox dispatcher's threads, the log store's setup, tests.
// Never on a worker thread, where it would stall every connection the thread serves.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <utility>

namespace basalt::core {

template <typename T>
T run_blocking(boost::asio::awaitable<T> awaitable) {
  boost::asio::io_context context;
  auto result = boost::asio::co_spawn(context, std::move(awaitable), boost::asio::use_future);
  context.run();
  return result.get();
}

}  // namespace basalt::core
