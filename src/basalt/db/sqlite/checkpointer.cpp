#include "basalt/db/sqlite/checkpointer.hpp"

#include <fmt/format.h>
#include <pthread.h>
#include <spdlog/spdlog.h>

#include "basalt/db/database_error.hpp"
#include "basalt/db/sqlite/thread_name.hpp"

namespace basalt::db::sqlite {

Checkpointer::Checkpointer(const std::string& path) {
  sqlite3* raw = nullptr;
  // No CREATE: the writer's connection made the file and switched it to WAL mode.
  const int code =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  db_.reset(raw);
  if (code != SQLITE_OK) {
    std::string message = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(code);
    throw DatabaseError(fmt::format("cannot open {} for checkpoints: {}", path, message), code);
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_db_config(raw, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  thread_ = std::thread([this, name = database_thread_name("basalt-ckpt", "basalt-ck-", path)] {
    pthread_setname_np(pthread_self(), name.c_str());
    run();
  });
}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void Checkpointer::request() noexcept {
  {
    std::lock_guard lock(mutex_);
    if (requested_) return;
    requested_ = true;
  }
  changed_.notify_all();
}

void Checkpointer::pause() {
  std::unique_lock lock(mutex_);
  paused_ = true;
  changed_.wait(lock, [&] { return !running_; });
}

void Checkpointer::resume() noexcept {
  {
    std::lock_guard lock(mutex_);
    paused_ = false;
  }
  changed_.notify_all();
}

std::uint64_t Checkpointer::completed() const {
  std::lock_guard lock(mutex_);
  return completed_;
}

void Checkpointer::wait_completed(std::uint64_t count) const {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return completed_ >= count || stopping_; });
}

void Checkpointer::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return (requested_ && !paused_) || stopping_; });
    if (stopping_) return;
    requested_ = false;
    running_ = true;
    lock.unlock();
    int log_frames = 0;
    int checkpointed = 0;
    if (!wal_open_) {
      // A connection that has not read the database yet has not opened its WAL either, and
      // its checkpoint would do nothing: a read opens it (once the file has a first commit).
      sqlite3_exec(db_.get(), "PRAGMA schema_version", nullptr, nullptr, nullptr);
    }
    const int code = sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                               &log_frames, &checkpointed);
    // BUSY: another checkpoint (the writer's fallback) holds the checkpoint lock; the next
    // request tries again.
    wal_open_ = log_frames >= 0;
    if (code != SQLITE_OK && code != SQLITE_BUSY) {
      spdlog::warn("database checkpoint failed: {}", sqlite3_errmsg(db_.get()));
    }
    lock.lock();
    running_ = false;
    ++completed_;
    changed_.notify_all();
  }
}

}  // namespace basalt::db::sqlite
