#include "basalt/app/backups_storage.hpp"

#include "basalt/api/s3_settings.hpp"
#include "basalt/app/file_storage.hpp"
#include "basalt/files/local_storage.hpp"

namespace basalt::app {
namespace {

const settings::S3Settings& backups_s3_settings(const settings::AppSettings& settings) {
  return settings.backups.s3;
}

}  // namespace

BackupsStorage::BackupsStorage(const std::filesystem::path& data_dir,
                               settings::SettingsService& settings)
    : active_(std::make_shared<files::LocalStorage>(data_dir / "backups")) {
  follow_s3_settings(settings, active_, backups_s3_settings);
}

std::shared_ptr<files::Storage> restored_files_store(const settings::AppSettings& restored) {
  const std::optional<files::S3Config> s3 = api::enabled_s3_config(restored.s3);
  if (!s3) return nullptr;
  return std::make_shared<files::S3Storage>(*s3);
}

}  // namespace basalt::app
