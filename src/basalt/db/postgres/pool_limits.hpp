// PoolLimits: the bounds of a worker's PostgreSQL connection pool (pg_pool.hpp). Apart so
// that postgres_database.hpp, which the composition root includes, carries no Asio or libpq.
#pragma once

#include <chrono>
#include <cstddef>

namespace basalt::db::postgres {

struct PoolLimits {
  std::size_t max_connections = 4;               // per worker; setting db-pool-size
  std::size_t max_waiters = 256;                 // per worker; setting db-read-queue
  std::chrono::milliseconds wait_timeout{5000};  // in the queue at most, then 503
  // After a failed connect (pg_pool.hpp, invariant 5).
  std::chrono::milliseconds backoff_min{50};
  std::chrono::milliseconds backoff_max{2000};
};

}  // namespace basalt::db::postgres
