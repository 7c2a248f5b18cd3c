// CollectionService: the one place collection definitions change — create, update, delete,
// import — for every transport (REST, CLI, later GraphQL).
//
// Invariants:
//  1. A change is one write job: the definitions are read, parsed, defaulted and validated
//     inside the job, the DDL (table_ddl.hpp) runs, the `_collections` rows are written and
//     the schema version in `_params` is bumped. Any failure — a validation error or a
//     statement that fails — rolls all of it back: no half-applied schema, ever.
//  2. After the commit the service reloads the catalog and publishes it as a new immutable
//     snapshot; a reload publishes only a version newer than the one it replaces, so
//     concurrent changes cannot bring an older snapshot back.
//  3. Validation failures are thrown as core::ApiError 400 with every problem in `data`
//     (the error shape of docs/api.md, "Errors"): "Failed to create collection.", "Failed to update
//     collection.", "Failed to import collections." (problems under collections.<index>).
// Thread safety: every member may be called from any worker thread at once.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>

#include "basalt/collections/catalog.hpp"
#include "basalt/core/clock.hpp"
#include "basalt/db/database.hpp"
#include "basalt/db/migrations.hpp"
#include "basalt/schema/collection.hpp"

namespace basalt::collections {

class CollectionService {
 public:
  // `clock` stamps created/updated of the definitions this service writes.
  CollectionService(db::Database& database, const core::Clock& clock);

  // The current snapshot; empty (version 0) until reload() ran once.
  std::shared_ptr<const Catalog> catalog() const noexcept { return catalog_.load(); }

  // Reads every definition and publishes it (invariant 2).
  boost::asio::awaitable<void> reload();

  // POST /api/collections: `body` is the collection JSON (docs/storage.md, "Defining collections").
  boost::asio::awaitable<schema::Collection> create(const boost::json::value& body);
  // PATCH /api/collections/{idOrName}: keys in `body` replace the stored ones. 404 when absent.
  boost::asio::awaitable<schema::Collection> update(std::string_view id_or_name,
                                                    const boost::json::value& body);
  // DELETE /api/collections/{idOrName}: 404 when absent; 400 for a system collection or one
  // that other collections reference (relation fields, view queries).
  boost::asio::awaitable<void> remove(std::string_view id_or_name);
  // PUT /api/collections/import: each item updates the collection with its id (or name) or
  // creates it; with `delete_missing` non-system collections absent from the list are
  // deleted. All or nothing.
  boost::asio::awaitable<void> import(const boost::json::value& collections, bool delete_missing);

  // Called after a committed change queued stored files for removal (file_removals.hpp: a file
  // field dropped or made single, a collection deleted), on the caller's thread; it must only
  // signal (records::FileRemovalDrain::wake). Set once, before the service is shared.
  void on_files_queued(std::function<void()> listener) { files_queued_ = std::move(listener); }

 private:
  void notify_files_queued() const noexcept;

  db::Database& database_;
  const core::Clock& clock_;
  std::atomic<std::shared_ptr<const Catalog>> catalog_;
  std::mutex publish_mutex_;  // orders reload()'s compare-and-publish
  std::function<void()> files_queued_;
};

// The migrations every database gets, in order: `_collections`, `_params`, the system
// collections that docs/storage.md, "Tables" lists (created through the same DDL as any
// collection), then case-insensitive email indexes for databases made before them
// (email_index.hpp). `dialect` must outlive the migrations (it is the Database's own); so must
// `clock`, which stamps the system collections' created/updated.
std::vector<db::Migration> system_migrations(const db::Dialect& dialect, const core::Clock& clock);

// The public JSON (secrets blanked) of every collection, as `basalt collections export` and
// GET /api/collections/meta... write it: the shape PUT /api/collections/import reads.
boost::json::array export_collections(const Catalog& catalog);

}  // namespace basalt::collections
