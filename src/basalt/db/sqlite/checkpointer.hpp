// Checkpointer: a thread with a connection of its own that copies the WAL back into the
// database file (a PASSIVE checkpoint) whenever the writer asks, so that the writer thread
// never spends a commit's time on it (writer.hpp, invariant 9; docs/architecture.md).
//
// Invariants:
//  1. Only the checkpointer thread touches its connection; other threads touch only the
//     request flag and the counter, under mutex_.
//  2. Requests coalesce: any number of request() calls while a checkpoint runs or waits give
//     one more checkpoint after it, which sees every commit made before the last request.
//  3. A PASSIVE checkpoint takes no lock the writer or a reader waits on: it copies the frames
//     no reader still needs and gives up on the rest, never blocking anyone.
//  4. The destructor runs no further checkpoint, joins the thread and closes the connection
//     before the writer's (which, being the last, checkpoints and removes the WAL on close).
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace basalt::db::sqlite {

class Checkpointer {
 public:
  // Opens the existing WAL-mode database at `path` read-write (the writer created it) and
  // starts the thread. Throws DatabaseError if it cannot be opened.
  explicit Checkpointer(const std::string& path);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Any thread, never blocks on a checkpoint: asks for one (invariant 2).
  void request() noexcept;

  // Any thread: waits for a checkpoint in progress to end and keeps new ones from starting
  // until resume(), so that the caller can checkpoint on its own connection without meeting
  // this one's checkpoint lock (SQLite refuses a second checkpoint at once, busy handler or not).
  void pause();
  void resume() noexcept;

  // Checkpoints run so far, successful or not.
  std::uint64_t completed() const;
  // Blocks until at least `count` checkpoints have run (tests and shutdown diagnostics).
  void wait_completed(std::uint64_t count) const;

 private:
  struct Closer {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
  };
  void run();

  std::unique_ptr<sqlite3, Closer> db_;  // the checkpointer thread's (1)
  bool wal_open_ = false;                // checkpointer thread: db_ has opened the WAL
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool requested_ = false;       // guarded by mutex_
  bool stopping_ = false;        // guarded by mutex_
  bool running_ = false;         // guarded by mutex_: a checkpoint is in progress
  bool paused_ = false;          // guarded by mutex_
  std::uint64_t completed_ = 0;  // guarded by mutex_
  std::thread thread_;           // last: started once everything above exists
};

}  // namespace basalt::db::sqlite
