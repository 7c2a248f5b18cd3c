#include "basalt/db/postgres/pg_pool.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "basalt/core/api_error.hpp"
#include "basalt/db/database_error.hpp"

namespace basalt::db::postgres {
namespace {

namespace asio = boost::asio;

core::ApiError pool_full_error() {
  return core::ApiError(503, "Too many requests are waiting for the database; try again later.");
}

core::ApiError unavailable_error() {
  return core::ApiError(503, "The database is unavailable; try again later.");
}

// Closes an io_context's pools when the io_context goes first (invariant 6): its services
// are shut down before its sockets and timers are gone.
class PoolReaper final : public asio::execution_context::service {
 public:
  static inline asio::execution_context::id id;
  explicit PoolReaper(asio::execution_context& context) : service(context) {}

  void add(std::weak_ptr<PoolDirectory> directory) {
    std::lock_guard lock(mutex_);
    directories_.push_back(std::move(directory));
  }

 private:
  void shutdown() override {
    std::vector<std::weak_ptr<PoolDirectory>> directories;
    {
      std::lock_guard lock(mutex_);
      directories.swap(directories_);
    }
    for (const auto& weak : directories) {
      if (auto directory = weak.lock()) directory->forget(context());
    }
  }

  std::mutex mutex_;
  std::vector<std::weak_ptr<PoolDirectory>> directories_;
};

}  // namespace

Lease& Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    give_back();
    pool_ = std::move(other.pool_);
    connection_ = std::move(other.connection_);
  }
  return *this;
}

Lease::~Lease() {
  give_back();
}

void Lease::give_back() noexcept {
  if (pool_ && connection_) pool_->give_back(std::move(connection_));
  pool_.reset();
}

WorkerPool::WorkerPool(asio::any_io_executor executor,
                       std::shared_ptr<const ConnectionSettings> settings, PoolLimits limits)
    : executor_(std::move(executor)),
      settings_(std::move(settings)),
      limits_(limits),
      jitter_(static_cast<unsigned>(std::random_device{}())) {}

WorkerPool::~WorkerPool() {
  close();
}

asio::awaitable<Lease> WorkerPool::lend() {
  {
    std::lock_guard lock(mutex_);
    if (closed_) throw DatabaseError("the database is closed");
    while (!idle_.empty()) {
      std::unique_ptr<PgConnection> connection = std::move(idle_.back());
      idle_.pop_back();
      if (connection->usable()) co_return Lease(shared_from_this(), std::move(connection));
      --open_;  // broken while idle (invariant 4): closed here
    }
  }
  if (open_ < limits_.max_connections) {
    ++open_;
    co_return co_await open_one();
  }
  if (waiters_.size() >= limits_.max_waiters) throw pool_full_error();
  auto waiter = std::make_shared<Waiter>(executor_);
  waiter->timer.expires_after(limits_.wait_timeout);
  waiters_.push_back(waiter);
  boost::system::error_code ignored;
  auto woken = asio::redirect_error(asio::use_awaitable, ignored);
  co_await waiter->timer.async_wait(woken);
  if (!waiter->woken) {
    std::erase(waiters_, waiter);
    throw pool_full_error();
  }
  if (waiter->failed) throw DatabaseError("the database is closed");
  if (waiter->connection && waiter->connection->usable()) {
    co_return Lease(shared_from_this(), std::move(waiter->connection));
  }
  waiter->connection.reset();  // broken: its place is this waiter's to open a new one in
  co_return co_await open_one();
}

asio::awaitable<Lease> WorkerPool::open_one() {
  // The caller has counted the connection in open_ already.
  if (Clock::now() < retry_at_) {
    --open_;
    throw unavailable_error();
  }
  std::unique_ptr<PgConnection> connection;
  std::string failure;
  try {
    connection = co_await PgConnection::open(settings_);
  } catch (const std::exception& error) {
    failure = error.what();
  }
  if (!connection) {
    note_failure();
    spdlog::warn(
        "database: cannot connect to PostgreSQL (next try in {} ms at the earliest): {}",
        std::chrono::duration_cast<std::chrono::milliseconds>(retry_at_ - Clock::now()).count(),
        failure);
    --open_;
    throw unavailable_error();
  }
  failures_ = 0;
  retry_at_ = {};
  {
    std::lock_guard lock(mutex_);
    if (closed_) {
      --open_;
      throw DatabaseError("the database is closed");
    }
  }
  co_return Lease(shared_from_this(), std::move(connection));
}

void WorkerPool::note_failure() noexcept {
  failures_ = std::min(failures_ + 1, 16);
  auto delay = limits_.backoff_min * (1 << std::min(failures_ - 1, 10));
  delay = std::min(delay, limits_.backoff_max);
  // ±50 %: workers that lost the server together do not all come back at once.
  std::uniform_real_distribution<double> spread(0.5, 1.5);
  const auto jittered = std::chrono::milliseconds(
      static_cast<std::int64_t>(static_cast<double>(delay.count()) * spread(jitter_)));
  retry_at_ = Clock::now() + jittered;
}

void WorkerPool::give_back(std::unique_ptr<PgConnection> connection) noexcept {
  std::unique_lock lock(mutex_);
  if (closed_) {
    --open_;
    lock.unlock();
    connection.reset();
    return;
  }
  // A connection left inside a transaction or mid-call (its coroutine was destroyed on the
  // way) or broken is closed; its place goes to the first waiter, if any.
  if (connection->broken() || connection->busy() || connection->in_transaction()) {
    connection.reset();
    if (!waiters_.empty()) {
      wake_first(nullptr, true);
    } else {
      --open_;
    }
    return;
  }
  if (!waiters_.empty()) {
    wake_first(std::move(connection), false);
    return;
  }
  idle_.push_back(std::move(connection));
}

void WorkerPool::wake_first(std::unique_ptr<PgConnection> connection, bool may_open) noexcept {
  std::shared_ptr<Waiter> waiter = std::move(waiters_.front());
  waiters_.pop_front();
  waiter->connection = std::move(connection);
  waiter->may_open = may_open;
  waiter->woken = true;
  waiter->timer.cancel();
}

void WorkerPool::close() noexcept {
  std::vector<std::unique_ptr<PgConnection>> idle;
  std::deque<std::shared_ptr<Waiter>> waiters;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    closed_ = true;
    idle.swap(idle_);
    open_ -= idle.size();
    waiters.swap(waiters_);
  }
  for (auto& waiter : waiters) {
    waiter->failed = true;
    waiter->woken = true;
    waiter->timer.cancel();
  }
  // `idle` closes its connections here, outside the lock.
}

PoolDirectory::PoolDirectory(std::shared_ptr<const ConnectionSettings> settings, PoolLimits limits)
    : settings_(std::move(settings)), limits_(limits) {}

std::shared_ptr<WorkerPool> PoolDirectory::pool_for(const asio::any_io_executor& executor) {
  asio::execution_context& context = asio::query(executor, asio::execution::context);
  {
    std::lock_guard lock(mutex_);
    if (closed_) throw DatabaseError("the database is closed");
    if (auto found = pools_.find(&context); found != pools_.end()) return found->second;
  }
  // First use on this io_context: its reaper will close the pool if the context goes first.
  asio::use_service<PoolReaper>(context).add(weak_from_this());
  std::lock_guard lock(mutex_);
  if (closed_) throw DatabaseError("the database is closed");
  auto [at, inserted] =
      pools_.try_emplace(&context, std::make_shared<WorkerPool>(executor, settings_, limits_));
  return at->second;
}

void PoolDirectory::close() noexcept {
  std::map<asio::execution_context*, std::shared_ptr<WorkerPool>> pools;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    pools.swap(pools_);
  }
  for (auto& [context, pool] : pools) pool->close();
}

void PoolDirectory::forget(asio::execution_context& context) noexcept {
  std::shared_ptr<WorkerPool> pool;
  {
    std::lock_guard lock(mutex_);
    auto found = pools_.find(&context);
    if (found == pools_.end()) return;
    pool = std::move(found->second);
    pools_.erase(found);
  }
  pool->close();
}

}  // namespace basalt::db::postgres
