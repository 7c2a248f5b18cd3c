// BackupService: PocketBase's backups (docs/backups.md) — create, list, read, delete, upload
// and restore — over two stores: `backups`, where the archives live (the local directory
// `<data dir>/backups`, or the bucket of `settings.backups.s3` while it is enabled: a source
// taken once per operation, so one operation never spans two backends), and `files`, the store
// of file fields whose objects go into each archive.
//
// Threads: the public calls are coroutines of a worker thread; every blocking step runs on one
// of the service's own pools, never on the caller's I/O thread and never on the database
// writer: `long_pool_` (one thread) runs what takes as long as the data is big (create, restore
// staging, upload checks), `short_pool_` the calls bounded by one object (list, stat, reads of
// a download's chunks, delete).
//
// Invariants:
//  1. At most one backup or restore runs at a time: active_ (under mutex_) names it, and a
//     create or restore that finds it set fails at once with PocketBase's 400 "Try again
//     later - another backup/restore process has already been started." A staged restore keeps
//     it set until the process ends (the server is about to restart on the restored data).
//  2. A create holds the DeletionGate from before the database snapshot until every stored
//     file is packed, so every file the snapshot references is in the archive.
//  3. An archive appears in the backups store whole (written under .basalt_tmp, then
//     Storage::put_file) or not at all; the temporary files of a failed step are removed.
//  4. Nothing is replaced by a restore request: it extracts and checks the archive into the
//     data directory's .basalt_tmp, then stages it (RestoreSwap::stage) and asks the process to
//     restart through `on_restore_staged`; the swap happens at the next start.
//  5. stop() cancels a running create or restore staging at its next step (it then fails and
//     cleans up) and joins the pools; calls after it fail with 503.
//  6. The archive's stored files go where the restarted server will look for them: the files
//     store named by the restored database's own settings (its `settings.s3`), since those are
//     the settings the server starts with. A local store gets them through the swap (they are
//     staged with the database); a bucket gets them uploaded before the restore is staged —
//     a failed upload fails the restore and nothing is staged (objects already put stay as
//     orphans, which the next start's sweep removes).
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "basalt/core/blocking_pool.hpp"
#include "basalt/core/clock.hpp"
#include "basalt/core/temp_file.hpp"
#include "basalt/db/database.hpp"
#include "basalt/files/deletion_gate.hpp"
#include "basalt/files/storage.hpp"
#include "basalt/settings/settings_service.hpp"

namespace basalt::backups {

// Inside the data directory: scratch space of backups and restores, on the same filesystem as
// the data (so a staged restore is renamed into place, never copied). Emptied at startup.
inline constexpr std::string_view kTempDirName = ".basalt_tmp";

struct BackupInfo {
  std::string key;
  std::uint64_t size = 0;
  std::chrono::system_clock::time_point modified;
};

// The files store a restored database's settings name: null for the local storage directory
// (restored by the swap), else the backend (an S3Storage for an enabled `settings.s3`). Throws
// files::StorageError for a configuration the backend refuses.
using RestoredFilesStore =
    std::function<std::shared_ptr<files::Storage>(const settings::AppSettings& restored)>;

// The spooled archive of an upload and the name it was sent under.
struct UploadedBackup {
  std::string filename;
  core::TempFile& file;  // closed, complete; taken over (renamed) when stored locally
};

struct BackupServiceParts {
  db::Database& database;
  files::StorageSource backups;         // where archives live, now (never null)
  files::Storage& files;                // the files store whose objects are archived
  files::DeletionGate& gate;            // guards `files` removals (invariant 2)
  settings::SettingsService& settings;  // the app name of default backup names
  const core::Clock& clock;
  std::filesystem::path data_dir;
  // Called once, on the restore request's worker thread, after a restore is staged: the
  // process must shut down and start again (app.cpp). Must not block.
  std::function<void()> on_restore_staged;
  // Where a restore puts the archive's stored files (invariant 6); null: always local.
  RestoredFilesStore restored_files;
  // The largest archive POST /api/backups/upload takes (max-backup-upload-bytes).
  std::uint64_t max_upload_bytes = 8ull << 30;
};

// A backup opened for download: its size and time, the backend it was found in (a remote
// body's chunks are read from that one), and for a local archive an open descriptor (sendfile).
struct OpenedBackup {
  std::shared_ptr<files::Storage> store;
  files::ObjectInfo info;  // size: of the open file when local
  int fd = -1;             // owned by the caller once returned; -1 for a remote archive
};

class BackupService {
 public:
  // Empties <data dir>/.basalt_tmp (a previous run's leftovers). Call before serving.
  explicit BackupService(BackupServiceParts parts);
  ~BackupService();  // stop()
  BackupService(const BackupService&) = delete;
  BackupService& operator=(const BackupService&) = delete;

  // Every archive, by key. 400 "Failed to retrieve backup items." when the store fails.
  boost::asio::awaitable<std::vector<BackupInfo>> list();

  // POST /api/backups: `name` empty means the default name. 400s as PocketBase: a backup or
  // restore already running; {"name": validation_length_out_of_range | validation_match_invalid
  // | validation_backup_name_exists}; "Failed to create backup." when the work fails (logged).
  boost::asio::awaitable<void> create(const std::string& requested_name);

  // The __pbAutoBackup__ cron job (docs/jobs.md): a backup named
  // "@auto_pb_backup_<app name>_<UTC time>.zip", then the automatic backups beyond the newest
  // `max_keep` (settings.backups.cronMaxKeep) deleted, as PocketBase does. Blocking: call it
  // from a job runner thread, never a worker. Throws (the job's error) when a backup or restore
  // is already running, on PostgreSQL, or when the work fails.
  void create_scheduled(std::int64_t max_keep);

  // POST /api/backups/upload: the spooled archive is checked (a valid name, a sound zip with
  // a data.db, safe paths, every CRC) and only then stored. Field errors under "file".
  boost::asio::awaitable<void> upload(UploadedBackup& archive);
  std::uint64_t max_upload_bytes() const noexcept { return parts_.max_upload_bytes; }

  // DELETE /api/backups/{key}: 400 for the active backup and for a missing or invalid key.
  boost::asio::awaitable<void> remove(const std::string& key);

  // POST /api/backups/{key}/restore (invariant 4): 400 "Missing or invalid backup file." for
  // an unknown key; 400 "Invalid backup file: <reason>." for an archive that fails the checks.
  boost::asio::awaitable<void> restore(const std::string& key);

  // Arguments are references: the caller's named locals outlive the call (GCC 12 destroys
  // temporaries of a co_await expression too early).
  // A download: the archive opened in the backups store now (nullopt: no such valid key), and
  // the bytes [offset, offset + length) of a remote one, read from the store it was found in.
  boost::asio::awaitable<std::optional<OpenedBackup>> open(const std::string& key);
  // By value: a download's chunk reader calls it from a closure and returns the awaitable.
  boost::asio::awaitable<std::string> read(std::shared_ptr<files::Storage> store, std::string key,
                                           std::uint64_t offset, std::uint64_t length);

  // A new empty path under .basalt_tmp.
  std::filesystem::path temp_path(std::string_view prefix) const;

  // True once a restore is staged (the caller restarts after shutting down).
  bool restore_staged() const noexcept { return staged_.load(); }
  // The active backup or restore, if any (health's canBackup).
  bool busy() const;

  void stop();

 private:
  // Invariant 1: takes the slot for `name`, or throws the 400.
  void begin(const std::string& name);
  void end() noexcept;
  bool cancelled() const noexcept { return stopping_.load(); }

  // Throws 400 when the database is not SQLite: archives hold an SQLite file.
  void refuse_without_snapshots() const;
  void create_blocking(const std::string& name, files::Storage& store);
  void restore_blocking(const std::string& key);
  void upload_blocking(UploadedBackup& archive);
  // Invariant 6: the extracted storage/ goes to the store `restored_settings` name.
  void place_restored_files(const std::filesystem::path& extracted);
  std::shared_ptr<files::Storage> backups_store() const;
  std::filesystem::path temp_dir() const { return parts_.data_dir / kTempDirName; }

  BackupServiceParts parts_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> staged_{false};
  mutable std::mutex mutex_;
  std::optional<std::string> active_;  // guarded by mutex_ (invariant 1)
  core::BlockingPool long_pool_;
  core::BlockingPool short_pool_;
};

}  // namespace basalt::backups
