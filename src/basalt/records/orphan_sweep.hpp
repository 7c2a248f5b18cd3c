// The startup sweep of stored files (docs/files.md, "The orphan sweep"): removes every stored
// object that no record names — what a crash between storing a file and committing its record
// (or between a commit and the removal of the files it dropped) left behind, and the files of
// fields that were removed from a collection.
//
// Why it is safe while the server already serves: a write stores its new files BEFORE its
// transaction, so for a moment a file exists that no record names yet. The sweep therefore
// only considers objects last modified before `older_than`, the moment this process started:
// every file an in-flight write of this process stores is newer. An old object is either named
// by a record already, or never will be: a write can only keep names a record has, and every
// new name is random and new. The sweep lists the objects first and reads the names after, so
// a record deleted in between (and its files removed) costs nothing.
//
// Several processes sharing one storage (S3 behind more than one instance) break the
// argument: another instance's in-flight upload may be older than this start. Such a
// deployment must pass an `older_than` well before its own start (say, an hour earlier than
// any write's duration can be) or run the sweep from one place only.
//
// Only keys of Basalt's layout under the id of a collection the catalog has are considered: an
// S3 bucket may be shared (PocketBase's backups at its root, "Test connection" objects, another
// application's keys), and nothing else in it is the sweep's to remove. The price: the files of
// a deleted collection that a crash kept from being removed after its commit stay.
//
// Bounded: names are read one page of records at a time, at most `max_removals` objects are
// removed per run, and `stop` ends the run between two steps (server shutdown).
//
// Thread: a thread of its own (it blocks on storage calls, never on a worker).
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <memory>

#include "basalt/collections/catalog.hpp"
#include "basalt/db/database.hpp"
#include "basalt/files/deletion_gate.hpp"
#include "basalt/files/storage.hpp"

namespace basalt::records {

struct SweepReport {
  std::size_t objects = 0;  // listed
  std::size_t removed = 0;
  std::size_t kept_recent = 0;  // unnamed but newer than `older_than`: left alone
  // Not a file or thumbnail key (<c>/<r>/<name>, <c>/<r>/thumbs_<name>/<size>_<name>) of a
  // collection the catalog has: never removed (a shared bucket's other objects).
  std::size_t foreign = 0;
};

struct SweepOptions {
  std::chrono::system_clock::time_point older_than;
  std::size_t max_removals = 100'000;
  std::size_t page_size = 1000;
  // When set, removals go through it (held back while a backup copies files:
  // files/deletion_gate.hpp); the server always sets it.
  files::DeletionGate* gate = nullptr;
};

boost::asio::awaitable<SweepReport> sweep_orphan_files(
    db::Database& database, std::shared_ptr<const collections::Catalog> catalog,
    files::Storage& storage, SweepOptions options, const std::atomic<bool>& stop);

}  // namespace basalt::records
