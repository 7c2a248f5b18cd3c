#include "basalt/db/database_error.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdint>
#include <mutex>

namespace basalt::db {

namespace {

constexpr auto kStorageFullLogInterval = std::chrono::minutes(1);

// Shared by every database of the process: the disk is full for all of them alike.
struct StorageFullLog {
  std::mutex mutex;
  std::chrono::steady_clock::time_point last{};
  bool logged = false;
  std::uint64_t suppressed = 0;  // occurrences since the last line
};

StorageFullLog& storage_full_log() {
  static StorageFullLog log;
  return log;
}

}  // namespace

core::ApiError storage_full_error(const StorageFullError& error) {
  StorageFullLog& log = storage_full_log();
  const auto now = std::chrono::steady_clock::now();
  std::uint64_t suppressed = 0;
  {
    std::lock_guard lock(log.mutex);
    if (log.logged && now - log.last < kStorageFullLogInterval) {
      ++log.suppressed;
      return core::ApiError(kStorageFullStatus, std::string(kStorageFullMessage));
    }
    suppressed = log.suppressed;
    log.logged = true;
    log.last = now;
    log.suppressed = 0;
  }
  spdlog::error(
      "database: out of storage space, writes answer {} ({} more since the last report): {}",
      kStorageFullStatus, suppressed, error.what());
  return core::ApiError(kStorageFullStatus, std::string(kStorageFullMessage));
}

core::ApiError statement_timeout_error() {
  return core::ApiError(kStatementTimeoutStatus, std::string(kStatementTimeoutMessage));
}

}  // namespace basalt::db
