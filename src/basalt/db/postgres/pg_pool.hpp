// The connections of one PostgreSQL database, a bounded pool per worker (io_context).
//
// Invariants:
//  1. A WorkerPool belongs to one io_context and is used only from the thread running it
//     (Basalt's workers run one thread per io_context); its connections' sockets are
//     registered there (pg_connection.hpp). Only close() may come from another thread, when
//     no call is in progress (the Database's contract), under mutex_.
//  2. At most `max_connections` connections exist per worker: idle ones, lent ones and ones
//     being opened. They are opened lazily, on a lend that finds none idle.
//  3. A lend that finds none idle and the pool full waits in a FIFO queue of at most
//     `max_waiters`; past it, or after `wait_timeout` in the queue, it fails with
//     core::ApiError 503 at once. A returned connection goes to the first waiter; a discarded
//     one (broken) frees its place for the first waiter to open a new one.
//  4. Health: a connection is checked (PgConnection::usable) when lent; a broken one is
//     closed, never lent or kept.
//  5. After a failed open, the worker opens no new connection until a backoff delay has
//     passed (doubling from 50 ms up to 2 s, each with ±50 % jitter so that workers do not
//     retry in step); lends that would have to open one meanwhile fail with 503 ("The
//     database is unavailable"). A successful open resets the delay.
//  6. PoolDirectory finds the calling thread's pool by its io_context, creating it on first
//     use; an io_context that is destroyed first closes its pools (an asio service's
//     shutdown), and the directory's close() closes every pool left (the Database's end).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <vector>

#include "basalt/db/postgres/pg_connection.hpp"
#include "basalt/db/postgres/pool_limits.hpp"

namespace basalt::db::postgres {

class WorkerPool;

// A connection lent by a WorkerPool; returns it (or discards it when broken) when destroyed.
class Lease {
 public:
  Lease() = default;
  Lease(std::shared_ptr<WorkerPool> pool, std::unique_ptr<PgConnection> connection)
      : pool_(std::move(pool)), connection_(std::move(connection)) {}
  Lease(Lease&&) noexcept = default;
  Lease& operator=(Lease&& other) noexcept;
  ~Lease();

  PgConnection& operator*() const noexcept { return *connection_; }
  PgConnection* operator->() const noexcept { return connection_.get(); }

 private:
  void give_back() noexcept;
  std::shared_ptr<WorkerPool> pool_;
  std::unique_ptr<PgConnection> connection_;
};

class WorkerPool : public std::enable_shared_from_this<WorkerPool> {
 public:
  WorkerPool(boost::asio::any_io_executor executor,
             std::shared_ptr<const ConnectionSettings> settings, PoolLimits limits);
  ~WorkerPool();

  // A connection for the calling coroutine (invariants 2-5). Throws core::ApiError 503 as
  // above, DatabaseError when opening fails or the pool is closed.
  boost::asio::awaitable<Lease> lend();

  // Closes the idle connections and fails the waiters; later lends fail (invariant 1).
  void close() noexcept;

  // Taken back from a Lease (invariant 3).
  void give_back(std::unique_ptr<PgConnection> connection) noexcept;

  std::size_t open_count() const noexcept { return open_; }
  std::size_t idle_count() const noexcept { return idle_.size(); }
  std::size_t waiting_count() const noexcept { return waiters_.size(); }

 private:
  struct Waiter {
    explicit Waiter(const boost::asio::any_io_executor& executor) : timer(executor) {}
    boost::asio::steady_timer timer;           // cancelled to wake the waiter
    std::unique_ptr<PgConnection> connection;  // handed over, or
    bool may_open = false;                     // a place freed to open one in
    bool failed = false;                       // the pool closed
    bool woken = false;
  };
  using Clock = std::chrono::steady_clock;

  boost::asio::awaitable<Lease> open_one();
  void wake_first(std::unique_ptr<PgConnection> connection, bool may_open) noexcept;
  void note_failure() noexcept;

  boost::asio::any_io_executor executor_;
  std::shared_ptr<const ConnectionSettings> settings_;
  const PoolLimits limits_;
  std::mutex mutex_;  // close() from another thread only (invariant 1)
  bool closed_ = false;
  std::vector<std::unique_ptr<PgConnection>> idle_;  // most recently returned last
  std::deque<std::shared_ptr<Waiter>> waiters_;
  std::size_t open_ = 0;  // idle + lent + opening
  int failures_ = 0;      // consecutive failed opens
  Clock::time_point retry_at_{};
  std::minstd_rand jitter_;
};

// The pools of one database, one per io_context (invariant 6). Thread-safe.
class PoolDirectory : public std::enable_shared_from_this<PoolDirectory> {
 public:
  PoolDirectory(std::shared_ptr<const ConnectionSettings> settings, PoolLimits limits);

  // The pool of the io_context behind `executor`, created on first use.
  std::shared_ptr<WorkerPool> pool_for(const boost::asio::any_io_executor& executor);

  // Closes every pool and refuses new ones.
  void close() noexcept;
  // An io_context going away: closes and forgets its pool.
  void forget(boost::asio::execution_context& context) noexcept;

 private:
  std::shared_ptr<const ConnectionSettings> settings_;
  const PoolLimits limits_;
  std::mutex mutex_;
  bool closed_ = false;
  std::map<boost::asio::execution_context*, std::shared_ptr<WorkerPool>> pools_;
};

}  // namespace basalt::db::postgres
