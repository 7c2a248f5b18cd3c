// Where backup archives live in the running server (docs/backups.md, "Where archives live"):
// `<data dir>/backups`, or the bucket of `settings.backups.s3` while it is enabled — the same
// files::ActiveStorage switching as the files store (file_storage.hpp), following the other
// settings section. As in PocketBase, a switch moves no archive: the list shows what the store
// in use holds, and archives in the other one stay where they are.
//
// Also what a restore needs to put an archive's files where the restored database's own
// settings will look (backups/backup_service.hpp, invariant 6).
//
// Built after the settings service, destroyed after the backup service (which takes source()).
// Thread safety: source() from any thread (files::ActiveStorage).
#pragma once

#include <filesystem>
#include <memory>

#include "basalt/files/active_storage.hpp"
#include "basalt/settings/settings_service.hpp"

namespace basalt::app {

class BackupsStorage {
 public:
  BackupsStorage(const std::filesystem::path& data_dir, settings::SettingsService& settings);
  BackupsStorage(const BackupsStorage&) = delete;
  BackupsStorage& operator=(const BackupsStorage&) = delete;

  // The archives' backend to use now; one operation takes it once.
  files::StorageSource source() {
    return [this] { return active_.get(); };
  }

 private:
  files::ActiveStorage active_;
};

// The files store `restored` settings name: an S3Storage for an enabled `settings.s3`, null for
// the local storage directory. Throws files::StorageError for a configuration S3Storage refuses.
std::shared_ptr<files::Storage> restored_files_store(const settings::AppSettings& restored);

}  // namespace basalt::app
