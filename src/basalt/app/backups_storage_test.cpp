#include "basalt/app/backups_storage.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "basalt/collections/collection_service.hpp"
#include "basalt/core/clock.hpp"
#include "basalt/db/migrations.hpp"
#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/db/testing/temp_dir.hpp"

namespace basalt::app {
namespace {

using db::testing::sync_wait;

class BackupsStorageTest : public ::testing::Test {
 protected:
  BackupsStorageTest() {
    db::SqliteOptions options;
    options.data_dir = dir_.path();
    options.statement_timeout = std::chrono::seconds(5);
    database_ = db::open_sqlite(options);
    sync_wait(db::apply_migrations(*database_,
                                   collections::system_migrations(database_->dialect(), clock_)));
    settings_ = std::make_unique<settings::SettingsService>(*database_, clock_);
    sync_wait(settings_->load());
  }

  void patch_settings(std::string_view body) {
    const auto parsed = boost::json::parse(body).as_object();
    sync_wait(settings_->patch(parsed));
  }

  db::testing::TempDir dir_;
  core::ManualClock clock_;
  std::unique_ptr<db::Database> database_;
  std::unique_ptr<settings::SettingsService> settings_;
};

constexpr std::string_view kBucketSettings =
    R"({"enabled":true,"bucket":"b","region":"us-east-1","endpoint":"http://127.0.0.1:9",
        "accessKey":"k","secret":"s"})";

TEST_F(BackupsStorageTest, FollowsSettingsBackupsS3AndNotTheFilesOne) {
  BackupsStorage backups(dir_.path(), *settings_);
  const auto source = backups.source();
  const std::shared_ptr<files::Storage> local = source();
  EXPECT_EQ(local->kind(), "local");
  EXPECT_EQ(local->local_path("a.zip"), dir_.path() / "backups" / "a.zip");

  patch_settings(R"({"s3":)" + std::string(kBucketSettings) + "}");
  EXPECT_EQ(source(), local);  // settings.s3 is the files store's, not this one's

  patch_settings(R"({"backups":{"s3":)" + std::string(kBucketSettings) + "}}");
  EXPECT_EQ(source()->kind(), "s3");

  patch_settings(R"({"backups":{"s3":{"enabled":false}}})");
  EXPECT_EQ(source(), local);  // the same local backend again: nothing was moved
}

TEST_F(BackupsStorageTest, TheRestoredFilesStoreIsTheBucketOfTheRestoredSettings) {
  settings::AppSettings restored;
  EXPECT_EQ(restored_files_store(restored), nullptr);  // local: the restore swap's job
  restored.s3.enabled = true;
  restored.s3.bucket = "b";
  restored.s3.region = "us-east-1";
  restored.s3.endpoint = "http://127.0.0.1:9";
  restored.s3.access_key = "k";
  restored.s3.secret = "s";
  const std::shared_ptr<files::Storage> bucket = restored_files_store(restored);
  ASSERT_NE(bucket, nullptr);
  EXPECT_EQ(bucket->kind(), "s3");
  restored.backups.s3 = restored.s3;  // the backups bucket plays no part
  restored.s3.enabled = false;
  EXPECT_EQ(restored_files_store(restored), nullptr);
}

}  // namespace
}  // namespace basalt::app
