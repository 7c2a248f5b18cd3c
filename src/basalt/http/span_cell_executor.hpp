// SpanCellExecutor: an executor that installs a connection's core::SpanCell on the thread
// around every function it runs (core/span_scope.hpp, invariant 1).
//
// The connection's coroutine is spawned on it, so every resumption of that coroutine — after a
// socket read, a read-pool or writer hop, a PostgreSQL socket wait — runs with the cell of the
// connection it belongs to installed, although a worker thread interleaves many connections'
// coroutines. Asio resumes an awaitable coroutine only through its executor (the one co_spawn
// was given, stored in the coroutine's frame and associated with every completion handler of
// its operations), so no resumption skips the install. The cell is installed, never read,
// here: a function run after the connection ended installs a dangling pointer nobody reads
// before the restore.
//
// Cost per handler: a thread_local save, store and restore. Every property is forwarded to
// the wrapped executor (an io_context's), so blocking, work tracking and allocation behave as
// before.
#pragma once

#include <boost/asio/execution.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/require.hpp>
#include <utility>

#include "basalt/core/span_scope.hpp"

namespace basalt::http {

template <typename Inner>
class SpanCellExecutor {
 public:
  SpanCellExecutor(Inner inner, core::SpanCell* cell) noexcept
      : inner_(std::move(inner)), cell_(cell) {}

  template <typename Property>
  auto query(const Property& property) const
      noexcept(noexcept(boost::asio::query(std::declval<const Inner&>(), property)))
          -> decltype(boost::asio::query(std::declval<const Inner&>(), property)) {
    return boost::asio::query(inner_, property);
  }

  template <typename Property>
  auto require(const Property& property) const -> SpanCellExecutor<
      std::decay_t<decltype(boost::asio::require(std::declval<const Inner&>(), property))>> {
    return {boost::asio::require(inner_, property), cell_};
  }

  template <typename Property>
  auto prefer(const Property& property) const -> SpanCellExecutor<
      std::decay_t<decltype(boost::asio::prefer(std::declval<const Inner&>(), property))>> {
    return {boost::asio::prefer(inner_, property), cell_};
  }

  template <typename Function>
  void execute(Function function) const {
    inner_.execute([cell = cell_, function = std::move(function)]() mutable {
      core::CellInstall install(cell);
      std::move(function)();
    });
  }

  friend bool operator==(const SpanCellExecutor& a, const SpanCellExecutor& b) noexcept {
    return a.inner_ == b.inner_ && a.cell_ == b.cell_;
  }
  friend bool operator!=(const SpanCellExecutor& a, const SpanCellExecutor& b) noexcept {
    return !(a == b);
  }

 private:
  template <typename>
  friend class SpanCellExecutor;
  Inner inner_;
  core::SpanCell* cell_;
};

}  // namespace basalt::http
