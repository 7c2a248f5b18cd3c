// The files of file fields in the running server (docs/files.md): the local storage directory,
// the backend in use (files::ActiveStorage: the local directory, or the bucket of `settings.s3`
// while `s3.enabled` is on, from startup on and after every settings change), the upload spool,
// the record service's FileStore, the startup orphan sweep, and the drain of the files that
// collection changes dropped (records/file_removal_drain.hpp).
//
// Built after the database and the blocking pool, destroyed before them. The sweep runs on a
// thread of its own once the server serves (records/orphan_sweep.hpp says why that is safe);
// the drain on another, woken by the collection service after each change that queued files
// and once at start (what a previous run left queued). The destructor stops both between two
// steps and joins them.
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "basalt/core/blocking_pool.hpp"
#include "basalt/files/active_storage.hpp"
#include "basalt/files/deletion_gate.hpp"
#include "basalt/files/following_storage.hpp"
#include "basalt/files/local_storage.hpp"
#include "basalt/records/file_store.hpp"
#include "basalt/records/record_service.hpp"
#include "basalt/settings/settings_service.hpp"

namespace basalt::app {

// Which S3 settings a store follows: `s3` for the files of file fields (the default),
// `backups.s3` for backup archives (backups_storage.hpp).
using S3SettingsOf = const settings::S3Settings& (*)(const settings::AppSettings&);
const settings::S3Settings& files_s3_settings(const settings::AppSettings& settings);

// Applies the current settings to `storage` now and registers a SettingsService listener that
// applies each later snapshot. A configuration the S3 backend refuses is logged (never with
// its secret) and leaves the previous backend in place. `storage` must outlive `settings`'
// publications (in app: built before the server starts, destroyed after it stopped).
void follow_s3_settings(settings::SettingsService& settings, files::ActiveStorage& storage,
                        S3SettingsOf which = files_s3_settings);

class FileStorage {
 public:
  // `<data_dir>/storage` holds the local files; `<data_dir>/uploads_tmp` the uploads being
  // received, emptied here: at startup no request is in flight, so whatever it holds is a
  // leftover. The backend follows `settings` (follow_s3_settings).
  FileStorage(const std::filesystem::path& data_dir, core::BlockingPool& blocking,
              settings::SettingsService& settings);
  ~FileStorage();
  FileStorage(const FileStorage&) = delete;
  FileStorage& operator=(const FileStorage&) = delete;

  const std::filesystem::path& spool_dir() const noexcept { return spool_dir_; }
  records::FileStore& store() noexcept { return store_; }
  // The backend to use now, for serving.
  files::StorageSource source() {
    return [this] { return active_.get(); };
  }
  // The backend in use as a plain Storage (each call follows a switch), for backups.
  files::Storage& following() noexcept { return following_; }
  // Every removal of a stored file goes through it (files/deletion_gate.hpp): the record
  // service's after a commit, via store().
  files::DeletionGate& deletion_gate() noexcept { return gate_; }

  // Starts the orphan sweep of objects older than now (call before the server starts).
  void start_sweep(db::Database& database, collections::CollectionService& collections);
  void stop_sweep();

  // Starts the drain thread and has `collections` wake it after each change that queued files.
  // `database` and `collections` must outlive stop_drain().
  void start_drain(db::Database& database, collections::CollectionService& collections);
  // Any thread: the drain runs (again) soon. Never blocks.
  void wake_drain();
  void stop_drain();

 private:
  std::filesystem::path spool_dir_;
  files::ActiveStorage active_;
  files::FollowingStorage following_;
  files::DeletionGate gate_;
  records::FileStore store_;
  std::atomic<bool> stop_{false};
  std::thread sweeper_;

  std::atomic<bool> drain_stop_{false};
  std::mutex drain_mutex_;
  std::condition_variable drain_signal_;
  bool drain_pending_ = false;  // guarded by drain_mutex_
  std::thread drainer_;
};

}  // namespace basalt::app
