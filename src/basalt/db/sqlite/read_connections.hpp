// ReadConnections: every thread's own read connection to one database, opened on the
// thread's first read (docs/architecture.md: reads run inline on the worker thread).
//
// Invariants:
//  1. A connection is used only by the thread it was opened for, which finds it through a
//     thread_local index; the registry owns it (connections_, under mutex_), so it is closed
//     at the latest when the registry is destroyed.
//  2. Each registry has a process-unique id that is never reused, and a thread's index maps
//     ids to connections: an entry left behind by a destroyed registry never matches a live
//     one, even one created at the same address.
//  3. When a thread exits, its index closes that thread's connections of every registry
//     still alive (found through a weak_ptr); entries of registries already gone are
//     skipped, and pruned from the index on the thread's next miss.
//  4. mutex_ is taken only to add or close a connection, never on a read that hits.
//
// The owner (the Database) keeps the registry alive while any thread may still read through
// it; a connection may outlive its thread's last read until the thread or the registry ends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "basalt/db/sqlite/connection.hpp"

namespace basalt::db::sqlite {

class ReadConnections : public std::enable_shared_from_this<ReadConnections> {
 public:
  // The database at `path` must exist (the writer creates it).
  static std::shared_ptr<ReadConnections> create(std::string path, ConnectionOptions options);
  ~ReadConnections();
  ReadConnections(const ReadConnections&) = delete;
  ReadConnections& operator=(const ReadConnections&) = delete;

  // The calling thread's connection, opened now if this thread has none yet. Throws
  // DatabaseError when it cannot be opened.
  Connection& for_this_thread();

  // Connections currently open, over all threads.
  std::size_t open_count() const;

  // Closes `connection`: called by a thread's index as the thread exits (invariant 3).
  void release(const Connection* connection);

 private:
  ReadConnections(std::string path, ConnectionOptions options);

  const std::uint64_t id_;
  const std::string path_;
  const ConnectionOptions options_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Connection>> connections_;  // guarded by mutex_
};

}  // namespace basalt::db::sqlite
