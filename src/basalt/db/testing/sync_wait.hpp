// sync_wait (tests only): runs an awaitable to completion on a fresh io_context on the
// calling thread and returns its result or rethrows its exception.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <utility>

namespace basalt::db::testing {

template <typename T>
T sync_wait(boost::asio::awaitable<T> awaitable) {
  boost::asio::io_context context;
  auto result = boost::asio::co_spawn(context, std::move(awaitable), boost::asio::use_future);
  context.run();
  return result.get();
}

}  // namespace basalt::db::testing
