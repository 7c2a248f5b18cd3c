// run_blocking: runs a coroutine to completion on a private io_context on the calling thread.
// For startup and CLI commands only, before (or instead of) the worker threads; never on a
// worker thread, where it would stall every connection the thread serves.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace basalt::app {

template <typename T>
T run_blocking(boost::asio::awaitable<T> awaitable) {
  boost::asio::io_context context;
  auto result = boost::asio::co_spawn(context, std::move(awaitable), boost::asio::use_future);
  context.run();
  return result.get();
}

}  // namespace basalt::app
