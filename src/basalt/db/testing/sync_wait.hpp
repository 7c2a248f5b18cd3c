// sync_wait (tests only): runs an awaitable to completion on a fresh io_context on the
// calling thread and returns its result or rethrows its exception (core::run_blocking).
#pragma once

#include "basalt/core/run_blocking.hpp"

namespace basalt::db::testing {

template <typename T>
T sync_wait(boost::asio::awaitable<T> awaitable) {
  return core::run_blocking(std::move(awaitable));
}

}  // namespace basalt::db::testing
