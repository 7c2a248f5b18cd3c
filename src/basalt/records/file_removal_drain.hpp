// The drain of the file removal queue (collections/file_removals.hpp; docs/files.md, "Files of
// removed fields and collections"): removes the stored files a collection change dropped, after
// its commit, in pages, and forgets each queued row once its files are gone.
//
// Bounded work per step: one read of at most `page_size` queued rows, their removals (each row
// is one record's dropped names, or one collection's prefix), then one small write job that
// deletes those rows. Between two pages the writer serves everyone else and `stop` is checked,
// so a field dropped from a collection of 100k records costs other clients nothing but the
// storage calls themselves.
//
// Every removal goes through the DeletionGate when one is given (a running backup keeps what
// its snapshot names); a file removed through a held gate is queued in the gate's memory and
// its row forgotten: should the process die before the backup ends, the next start's orphan
// sweep removes what a record of a kept collection no longer names.
//
// A removal that fails (a bucket that does not answer) ends the pass with its row kept: the
// next wake, or the next start, tries again.
//
// A deleted collection's prefix is not removed while a collection of the same id exists again
// (an import can re-create one with its id before the drain ran): its row is forgotten and the
// old files are left to the startup sweep, which removes those no record of it names — never a
// file of the new collection.
//
// Thread: the caller's, which blocks on storage calls (the app's drain thread, never a worker
// nor the writer).
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <functional>
#include <string_view>

#include "basalt/db/database.hpp"
#include "basalt/files/deletion_gate.hpp"
#include "basalt/files/storage.hpp"

namespace basalt::records {

struct DrainOptions {
  std::size_t page_size = 100;
  files::DeletionGate* gate = nullptr;  // the server always sets it
  // Whether a collection with this id exists now; null: none is ever re-created.
  std::function<bool(std::string_view collection_id)> collection_exists;
};

struct DrainReport {
  std::size_t rows = 0;     // queued rows done and forgotten
  std::size_t removed = 0;  // keys and prefixes removed (or queued in a held gate)
  std::size_t skipped = 0;  // collection prefixes left alone: the id exists again
  bool failed = false;      // a removal failed: its row stays queued
};

// Runs until the queue is empty, a removal fails or `stop` is set.
boost::asio::awaitable<DrainReport> drain_file_removals(db::Database& database,
                                                        files::Storage& storage,
                                                        DrainOptions options,
                                                        const std::atomic<bool>& stop);

}  // namespace basalt::records
