// BackupService with its stores in real S3 buckets (s3rver on loopback, signatures checked):
// archives in the backups bucket (settings.backups.s3), and a restore that puts the archive's
// files into the files bucket the restored settings name (backup_service.hpp, invariant 6).
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json/object.hpp>

#include "basalt/backups/backup_archive.hpp"
#include "basalt/backups/backup_service.hpp"
#include "basalt/backups/restore_swap.hpp"
#include "basalt/backups/testing/file_bytes.hpp"
#include "basalt/collections/collection_service.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/db/migrations.hpp"
#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/db/testing/temp_dir.hpp"
#include "basalt/files/local_storage.hpp"
#include "basalt/files/s3_storage.hpp"
#include "basalt/files/testing/s3rver_process.hpp"

namespace basalt::backups {
namespace {

using db::testing::sync_wait;
using files::test_support::S3rverProcess;

files::S3Config bucket_config(const S3rverProcess& server) {
  return {.bucket = server.bucket(),
          .region = S3rverProcess::kRegion,
          .endpoint = server.endpoint(),
          .access_key = S3rverProcess::kAccessKey,
          .secret = S3rverProcess::kSecret,
          .force_path_style = true};
}

class BackupServiceOnS3Test : public ::testing::Test {
 protected:
  BackupServiceOnS3Test() {
    db::SqliteOptions options;
    options.data_dir = dir_.str();
    options.statement_timeout = std::chrono::seconds(5);
    database_ = db::open_sqlite(options);
    sync_wait(db::apply_migrations(*database_,
                                   collections::system_migrations(database_->dialect(), clock_)));
    settings_ = std::make_unique<settings::SettingsService>(*database_, clock_);
    sync_wait(settings_->load());
    // The files of file fields are in the files bucket, as settings.s3 says.
    const files::S3Config files_config = bucket_config(files_server_);
    const boost::json::object s3{{"enabled", true},
                                 {"bucket", files_config.bucket},
                                 {"region", files_config.region},
                                 {"endpoint", files_config.endpoint},
                                 {"accessKey", files_config.access_key},
                                 {"secret", files_config.secret},
                                 {"forcePathStyle", true}};
    const boost::json::object body{{"s3", s3}};
    sync_wait(settings_->patch(body));
    testing::write_file(dir_.path() / "photo.src", "png bytes in a bucket");
    files_->put_file("c1/r1/photo.png", dir_.path() / "photo.src", "image/png");
    service_ = std::make_unique<BackupService>(BackupServiceParts{
        .database = *database_,
        .backups = [this] { return backups_; },
        .files = *files_,
        .gate = gate_,
        .settings = *settings_,
        .clock = clock_,
        .data_dir = dir_.path(),
        .on_restore_staged = [this] { ++restarts_; },
        .restored_files =
            [](const settings::AppSettings& restored) -> std::shared_ptr<files::Storage> {
          if (!restored.s3.enabled) return nullptr;
          return std::make_shared<files::S3Storage>(
              files::S3Config{.bucket = restored.s3.bucket,
                              .region = restored.s3.region,
                              .endpoint = restored.s3.endpoint,
                              .access_key = restored.s3.access_key,
                              .secret = restored.s3.secret,
                              .force_path_style = restored.s3.force_path_style});
        }});
  }
  ~BackupServiceOnS3Test() override { service_.reset(); }

  // The whole archive `key`, read as a download reads it.
  std::string download(const std::string& key) {
    const std::optional<OpenedBackup> opened = sync_wait(service_->open(key));
    if (!opened) return "<missing>";
    EXPECT_EQ(opened->fd, -1);  // remote: chunks, no descriptor
    std::string out;
    while (out.size() < opened->info.size) {
      const std::uint64_t offset = out.size();
      const std::uint64_t length = 4096;
      out += sync_wait(service_->read(opened->store, key, offset, length));
    }
    return out;
  }

  S3rverProcess backups_server_{"backups-bucket"};
  S3rverProcess files_server_{"files-bucket"};
  db::testing::TempDir dir_;
  core::ManualClock clock_{std::chrono::sys_days{std::chrono::year{2025} / 1 / 2}};
  std::unique_ptr<db::Database> database_;
  std::unique_ptr<settings::SettingsService> settings_;
  std::shared_ptr<files::Storage> backups_ =
      std::make_shared<files::S3Storage>(bucket_config(backups_server_));
  std::shared_ptr<files::Storage> files_ =
      std::make_shared<files::S3Storage>(bucket_config(files_server_));
  files::DeletionGate gate_{*files_};
  std::unique_ptr<BackupService> service_;
  int restarts_ = 0;
};

TEST_F(BackupServiceOnS3Test, ArchivesLiveInTheBackupsBucket) {
  sync_wait(service_->create("snap.zip"));
  EXPECT_EQ(backups_->list(""), std::vector<std::string>{"snap.zip"});
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "backups"));
  const auto list = sync_wait(service_->list());
  ASSERT_EQ(list.size(), 1u);
  const std::string bytes = download("snap.zip");
  ASSERT_EQ(bytes.size(), list[0].size);
  testing::write_file(dir_.path() / "check.zip", bytes);
  extract_backup_archive(dir_.path() / "check.zip", dir_.path() / "check", nullptr);
  EXPECT_EQ(testing::read_file(dir_.path() / "check/storage/c1/r1/photo.png"),
            "png bytes in a bucket");

  // An upload is checked, then stored in the bucket; a refused one leaves nothing there.
  core::TempFile spooled = core::TempFile::create(dir_.path(), "spooled");
  spooled.write(bytes);
  spooled.close();
  UploadedBackup upload{"copy.zip", spooled};
  sync_wait(service_->upload(upload));
  core::TempFile half = core::TempFile::create(dir_.path(), "spooled");
  half.write(std::string_view(bytes).substr(0, bytes.size() / 2));
  half.close();
  UploadedBackup refused{"half.zip", half};
  EXPECT_THROW(sync_wait(service_->upload(refused)), core::ApiError);
  EXPECT_EQ(download("copy.zip"), bytes);
  sync_wait(service_->remove("snap.zip"));
  EXPECT_EQ(backups_->list(""), std::vector<std::string>{"copy.zip"});
}

TEST_F(BackupServiceOnS3Test, ARestoreFetchesTheArchiveAndPutsItsFilesIntoTheFilesBucket) {
  sync_wait(service_->create("snap.zip"));
  files_->remove("c1/r1/photo.png");  // dropped by a commit after the backup
  ASSERT_TRUE(files_->list("").empty());
  sync_wait(service_->restore("snap.zip"));
  EXPECT_EQ(restarts_, 1);
  EXPECT_EQ(files_->list(""), std::vector<std::string>{"c1/r1/photo.png"});
  EXPECT_EQ(files_->read_range("c1/r1/photo.png", 0, 100), "png bytes in a bucket");
  EXPECT_EQ(RestoreSwap(dir_.path()).state(), RestoreState::kStaged);
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / ".restore/incoming/data.db"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / ".restore/incoming/storage"));
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path() / kTempDirName));  // the download is gone
}

}  // namespace
}  // namespace basalt::backups
