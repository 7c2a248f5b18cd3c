// Storage: the database and the services that own its data, opened from the Config in
// dependency order — open the database (data.db, or PostgreSQL per the `db` setting; either
// way taking the data directory's lock), apply the system migrations,
// load the collection catalog. Used by `serve` and by the CLI commands that touch data.
//
// Lifetime: close() (or destruction) finishes queued writes first. A server must call close()
// after its workers stopped but while their io_contexts still exist (db::Database contract).
#pragma once

#include <memory>

#include "basalt/collections/collection_service.hpp"
#include "basalt/core/clock.hpp"
#include "basalt/core/config.hpp"
#include "basalt/db/database.hpp"
#include "basalt/db/sqlite/lock_file.hpp"
#include "basalt/settings/settings_service.hpp"

namespace basalt::app {

class Storage {
 public:
  // Blocking; call on the main thread before worker threads start. Throws db::DatabaseError
  // (e.g. the directory is in use by another process) or a migration's error.
  // `clock` stamps what the services write (created/updated); it must outlive the Storage.
  Storage(const core::Config& config, const core::Clock& clock);
  ~Storage();

  db::Database& database() noexcept { return *database_; }
  collections::CollectionService& collections() noexcept { return *collections_; }
  settings::SettingsService& settings() noexcept { return *settings_; }

  void close();

 private:
  // PostgreSQL only (database_open.hpp): the data directory's lock; SQLite's driver holds its own.
  std::unique_ptr<db::sqlite::LockFile> directory_lock_;
  std::unique_ptr<db::Database> database_;
  std::unique_ptr<collections::CollectionService> collections_;
  std::unique_ptr<settings::SettingsService> settings_;
};

}  // namespace basalt::app
