// BackupService over a real SQLite database (with the system migrations) and directory
// stores: what the API's handlers call.
#include "basalt/backups/backup_service.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <unistd.h>

#include <boost/json/parse.hpp>
#include <fstream>
#include <sstream>

#include "basalt/backups/backup_archive.hpp"
#include "basalt/backups/restore_swap.hpp"
#include "basalt/backups/testing/file_bytes.hpp"
#include "basalt/collections/collection_service.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/db/migrations.hpp"
#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/db/testing/temp_dir.hpp"
#include "basalt/files/local_storage.hpp"

namespace basalt::backups {
namespace {

using testing::read_file;
using testing::write_file;

using db::testing::sync_wait;

// The status and, for a field error, "field:code" of what `call` threw.
template <typename Call>
std::string error_of(Call call) {
  try {
    call();
  } catch (const core::ApiError& error) {
    std::string out = std::to_string(error.status()) + " " + error.message();
    for (const auto& [field, detail] : error.data()) {
      out += std::string(" ") + std::string(field) + ":" +
             std::string(detail.as_object().at("code").as_string());
    }
    return out;
  }
  return "no error";
}

class BackupServiceTest : public ::testing::Test {
 protected:
  BackupServiceTest() {
    db::SqliteOptions options;
    options.data_dir = dir_.str();
    options.statement_timeout = std::chrono::seconds(5);
    database_ = db::open_sqlite(options);
    migrations_ = collections::system_migrations(database_->dialect(), clock_);
    sync_wait(db::apply_migrations(*database_, migrations_));
    sync_wait(database_->write([](db::Transaction& tx) -> boost::asio::awaitable<void> {
      co_await tx.execute("CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT)");
      for (int i = 0; i < 50; ++i) {
        co_await tx.execute("INSERT INTO notes (id, body) VALUES (?1, ?2)", "n" + std::to_string(i),
                            std::string(500, 'b'));
      }
    }));
    settings_ = std::make_unique<settings::SettingsService>(*database_, clock_);
    sync_wait(settings_->load());
    write_file(dir_.path() / "storage/c1/r1/photo.png", "png bytes");
    service_ = std::make_unique<BackupService>(parts(files_, gate_));
  }
  ~BackupServiceTest() override { service_.reset(); }

  std::filesystem::path data() const { return dir_.path(); }

  // The service's parts over this fixture's database and backups store.
  BackupServiceParts parts(files::Storage& files, files::DeletionGate& gate) {
    return {.database = *database_,
            .backups = [this] { return backups_; },
            .files = files,
            .gate = gate,
            .settings = *settings_,
            .clock = clock_,
            .data_dir = dir_.path(),
            .on_restore_staged = [this] { ++restarts_; },
            .restored_files = nullptr};
  }

  // Uploads `content` as a spooled archive named `name`, as the handler does.
  void upload_archive(const std::string& name, std::string_view content) {
    core::TempFile file = core::TempFile::create(dir_.path(), "spooled");
    file.write(content);
    file.close();
    UploadedBackup upload{name, file};
    sync_wait(service_->upload(upload));
  }

  db::testing::TempDir dir_;
  core::ManualClock clock_{std::chrono::sys_days{std::chrono::year{2025} / 1 / 2}};
  std::unique_ptr<db::Database> database_;
  std::vector<db::Migration> migrations_;
  std::unique_ptr<settings::SettingsService> settings_;
  std::shared_ptr<files::Storage> backups_ =
      std::make_shared<files::LocalStorage>(dir_.path() / "backups");
  files::LocalStorage files_{dir_.path() / "storage"};
  files::DeletionGate gate_{files_};
  std::unique_ptr<BackupService> service_;
  int restarts_ = 0;
};

TEST_F(BackupServiceTest, CreatesADefaultNamedArchiveOfTheDatabaseAndFiles) {
  sync_wait(service_->create(""));
  const auto list = sync_wait(service_->list());
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].key, "pb_backup_acme_20250102000000.zip");
  EXPECT_GT(list[0].size, 0u);
  const auto archive = data() / "backups" / list[0].key;
  extract_backup_archive(archive, data() / "check", nullptr);
  EXPECT_EQ(read_file(data() / "check/storage/c1/r1/photo.png"), "png bytes");
  EXPECT_EQ(db::database_file_problem((data() / "check/data.db").string()), std::nullopt);
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open((data() / "check/data.db").c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(raw, "SELECT count(*) FROM notes", -1, &statement, nullptr);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(statement, 0), 50);
  sqlite3_finalize(statement);
  sqlite3_close(raw);
  EXPECT_FALSE(service_->busy());
  // Nothing left in the scratch directory.
  EXPECT_TRUE(std::filesystem::is_empty(data() / kTempDirName));
}

// The __pbAutoBackup__ cron job: PocketBase's automatic names, and only the newest cronMaxKeep
// automatic backups kept; other backups are never touched.
TEST_F(BackupServiceTest, ScheduledBackupsKeepTheNewestMaxKeepAutomaticOnes) {
  sync_wait(service_->create("mine.zip"));
  for (int i = 0; i < 3; ++i) {
    service_->create_scheduled(2);
    clock_.advance(std::chrono::minutes(1));
  }
  std::vector<std::string> keys;
  for (const auto& info : sync_wait(service_->list())) keys.push_back(info.key);
  EXPECT_EQ(keys,
            (std::vector<std::string>{"@auto_pb_backup_acme_20250102000100.zip",
                                      "@auto_pb_backup_acme_20250102000200.zip", "mine.zip"}));
  EXPECT_FALSE(service_->busy());
}

TEST_F(BackupServiceTest, OnlyRecordFilesOfTheFilesStoreArePacked) {
  // A files store shared with other things (a bucket holding backup archives at its root).
  write_file(data() / "storage/old_backup.zip", "an archive");
  write_file(data() / "storage/pb_settings_test_abcde/test.txt", "test");
  write_file(data() / "storage/c1/r1/thumbs_photo.png/10x10_photo.png", "thumb");
  sync_wait(service_->create("shared.zip"));
  extract_backup_archive(data() / "backups/shared.zip", data() / "check", nullptr);
  EXPECT_EQ(read_file(data() / "check/storage/c1/r1/photo.png"), "png bytes");
  EXPECT_EQ(read_file(data() / "check/storage/c1/r1/thumbs_photo.png/10x10_photo.png"), "thumb");
  EXPECT_FALSE(std::filesystem::exists(data() / "check/storage/old_backup.zip"));
  EXPECT_FALSE(std::filesystem::exists(data() / "check/storage/pb_settings_test_abcde"));
}

TEST_F(BackupServiceTest, NameRulesAsPocketBase) {
  EXPECT_EQ(error_of([&] { sync_wait(service_->create("Bad.zip")); }),
            "400 An error occurred while validating the submitted data. "
            "name:validation_match_invalid");
  EXPECT_EQ(error_of([&] {
              const std::string long_name(151, 'a');
              sync_wait(service_->create(long_name));
            }),
            "400 An error occurred while validating the submitted data. "
            "name:validation_length_out_of_range");
  sync_wait(service_->create("mine.zip"));
  EXPECT_EQ(error_of([&] { sync_wait(service_->create("mine.zip")); }),
            "400 An error occurred while validating the submitted data. "
            "name:validation_backup_name_exists");
}

TEST_F(BackupServiceTest, DeleteRefusesMissingAndInvalidKeys) {
  sync_wait(service_->create("a.zip"));
  sync_wait(service_->remove("a.zip"));
  EXPECT_TRUE(sync_wait(service_->list()).empty());
  EXPECT_EQ(error_of([&] { sync_wait(service_->remove("a.zip")); }),
            "400 Invalid or already deleted backup file.");
  EXPECT_EQ(error_of([&] { sync_wait(service_->remove("../data.db")); }),
            "400 Invalid or already deleted backup file.");
  EXPECT_TRUE(std::filesystem::exists(data() / "data.db"));
}

TEST_F(BackupServiceTest, UploadChecksTheArchive) {
  sync_wait(service_->create("good.zip"));
  const auto good = data() / "backups/good.zip";
  const std::string bytes = read_file(good);

  auto upload = [&](const std::string& name, const std::string& content) {
    return error_of([&] { upload_archive(name, content); });
  };
  EXPECT_EQ(upload("text.zip", "not a zip"),
            "400 An error occurred while validating the submitted data. "
            "file:validation_invalid_mime_type");
  EXPECT_EQ(upload("half.zip", bytes.substr(0, bytes.size() / 2)),
            "400 An error occurred while validating the submitted data. "
            "file:validation_invalid_mime_type");
  std::string corrupt = bytes;
  for (std::size_t i = 200; i < 220; ++i) corrupt[i] = static_cast<char>(corrupt[i] ^ 0x33);
  EXPECT_EQ(upload("corrupt.zip", corrupt),
            "400 An error occurred while validating the submitted data. "
            "file:validation_invalid_file");
  EXPECT_EQ(upload("good.zip", bytes),
            "400 An error occurred while validating the submitted data. "
            "file:validation_backup_name_exists");
  EXPECT_EQ(upload("../evil.zip", bytes),
            "400 An error occurred while validating the submitted data. "
            "file:validation_match_invalid");
  EXPECT_EQ(upload("copy.zip", bytes), "no error");
  EXPECT_EQ(read_file(data() / "backups/copy.zip"), bytes);
  const auto list = sync_wait(service_->list());
  ASSERT_EQ(list.size(), 2u);  // good.zip and copy.zip only
  EXPECT_TRUE(std::filesystem::is_empty(data() / kTempDirName));
  // Every refused upload's spooled file is gone; the accepted one was renamed into the store.
  for (const auto& entry : std::filesystem::directory_iterator(data())) {
    EXPECT_FALSE(entry.path().filename().string().starts_with("spooled")) << entry.path();
  }
}

TEST_F(BackupServiceTest, TheBackupsStoreIsTakenPerOperationAndArchivesAreNotMoved) {
  sync_wait(service_->create("first.zip"));
  // settings.backups.s3 switched: the source now gives another store (a bucket in the server).
  const std::shared_ptr<files::Storage> local = backups_;
  backups_ = std::make_shared<files::LocalStorage>(data() / "other_store");
  EXPECT_TRUE(sync_wait(service_->list()).empty());  // first.zip stays where it was
  sync_wait(service_->create("second.zip"));
  ASSERT_EQ(sync_wait(service_->list()).size(), 1u);
  EXPECT_TRUE(std::filesystem::exists(data() / "other_store/second.zip"));
  EXPECT_FALSE(std::filesystem::exists(data() / "backups/second.zip"));
  const auto opened = sync_wait(service_->open("second.zip"));
  ASSERT_TRUE(opened.has_value());
  EXPECT_GE(opened->fd, 0);  // a local store: a descriptor to sendfile from
  ::close(opened->fd);
  EXPECT_EQ(sync_wait(service_->open("first.zip")), std::nullopt);
  EXPECT_EQ(error_of([&] { sync_wait(service_->restore("first.zip")); }),
            "400 Missing or invalid backup file.");
  backups_ = local;  // and back: the first store's archives are there again
  ASSERT_EQ(sync_wait(service_->list()).size(), 1u);
  EXPECT_EQ(sync_wait(service_->list())[0].key, "first.zip");
}

TEST_F(BackupServiceTest, RestoreStagesAValidArchiveAndAsksForARestart) {
  sync_wait(service_->create("snap.zip"));
  EXPECT_EQ(error_of([&] { sync_wait(service_->restore("missing.zip")); }),
            "400 Missing or invalid backup file.");
  sync_wait(service_->restore("snap.zip"));
  EXPECT_EQ(restarts_, 1);
  EXPECT_TRUE(service_->restore_staged());
  EXPECT_EQ(RestoreSwap(data()).state(), RestoreState::kStaged);
  EXPECT_TRUE(std::filesystem::exists(data() / ".restore/incoming/data.db"));
  // Nothing replaced yet, and the slot stays taken until the restart.
  EXPECT_EQ(read_file(data() / "storage/c1/r1/photo.png"), "png bytes");
  EXPECT_EQ(error_of([&] { sync_wait(service_->create("other.zip")); }),
            "400 Try again later - another backup/restore process has already been started.");
  EXPECT_EQ(error_of([&] { sync_wait(service_->remove("snap.zip")); }),
            "400 The backup is currently being used and cannot be deleted.");
}

TEST_F(BackupServiceTest, RestoreRefusesACorruptArchiveAndReplacesNothing) {
  write_file(data() / "backups/bad.zip", "PK\x03\x04 then garbage");
  EXPECT_EQ(error_of([&] { sync_wait(service_->restore("bad.zip")); }).substr(0, 25),
            "400 Invalid backup file: ");
  // An archive whose data.db is not a database.
  {
    write_file(data() / "fake.db", "not sqlite at all, just text");
    files::LocalStorage none(data() / "empty_store");
    write_backup_archive(data() / "backups/fake.zip", data() / "fake.db", none, {}, nullptr);
  }
  EXPECT_EQ(error_of([&] { sync_wait(service_->restore("fake.zip")); }).substr(0, 25),
            "400 Invalid backup file: ");
  EXPECT_EQ(restarts_, 0);
  EXPECT_FALSE(std::filesystem::exists(data() / ".restore"));
  EXPECT_TRUE(std::filesystem::is_empty(data() / kTempDirName));
  EXPECT_FALSE(service_->busy());
}

// A removal asked for while a create packs the files (here: from inside the store's list(),
// which the create calls after the snapshot) waits for the packing: the archive still has the
// file, and the file is gone once the create is done.
class RemovingWhileListed final : public files::Storage {
 public:
  RemovingWhileListed(files::Storage& inner, files::DeletionGate& gate)
      : inner_(inner), gate_(gate) {}
  std::string_view kind() const noexcept override { return inner_.kind(); }
  void put_file(std::string_view k, const std::filesystem::path& p, std::string_view t) override {
    inner_.put_file(k, p, t);
  }
  std::optional<files::ObjectInfo> stat(std::string_view key) override { return inner_.stat(key); }
  std::string read_range(std::string_view key, std::uint64_t offset, std::uint64_t n) override {
    return inner_.read_range(key, offset, n);
  }
  std::optional<std::filesystem::path> local_path(std::string_view key) override {
    return inner_.local_path(key);
  }
  void remove(std::string_view key) override { inner_.remove(key); }
  void remove_prefix(std::string_view prefix) override { inner_.remove_prefix(prefix); }
  std::vector<std::string> list(std::string_view prefix) override {
    std::vector<std::string> keys = inner_.list(prefix);
    gate_.remove("c1/r1/photo.png");  // a commit dropped it after the snapshot
    return keys;
  }

 private:
  files::Storage& inner_;
  files::DeletionGate& gate_;
};

TEST_F(BackupServiceTest, RemovalsDuringACreateWaitUntilTheFilesArePacked) {
  files::DeletionGate gate(files_);
  RemovingWhileListed files(files_, gate);
  BackupService service(parts(files, gate));
  sync_wait(service.create("held.zip"));
  EXPECT_FALSE(std::filesystem::exists(data() / "storage/c1/r1/photo.png"));  // removed after
  extract_backup_archive(data() / "backups/held.zip", data() / "check", nullptr);
  EXPECT_EQ(read_file(data() / "check/storage/c1/r1/photo.png"), "png bytes");
}

// Restore and the files store (invariant 6): the archive's files go to the store the restored
// database's settings name, here a second directory standing in for a bucket.
class RestoreIntoTheSettingsStoreTest : public BackupServiceTest {
 protected:
  RestoreIntoTheSettingsStoreTest() {
    service_.reset();
    BackupServiceParts with_target = parts(files_, gate_);
    with_target.restored_files = [this](const settings::AppSettings& restored) {
      seen_s3_enabled_ = restored.s3.enabled;
      seen_bucket_ = restored.s3.bucket;
      return restored.s3.enabled ? bucket_ : nullptr;
    };
    service_ = std::make_unique<BackupService>(std::move(with_target));
  }

  void enable_s3_settings() {
    const auto body = boost::json::parse(R"({"s3":{"enabled":true,"bucket":"files-bucket",
        "region":"us-east-1","endpoint":"http://127.0.0.1:9","accessKey":"k","secret":"s"}})")
                          .as_object();
    sync_wait(settings_->patch(body));
  }

  std::shared_ptr<files::Storage> bucket_ =
      std::make_shared<files::LocalStorage>(dir_.path() / "bucket");
  bool seen_s3_enabled_ = false;
  std::string seen_bucket_;
};

TEST_F(RestoreIntoTheSettingsStoreTest, LocalSettingsStageTheFilesWithTheDatabase) {
  sync_wait(service_->create("local.zip"));
  sync_wait(service_->restore("local.zip"));
  EXPECT_FALSE(seen_s3_enabled_);
  EXPECT_EQ(read_file(data() / ".restore/incoming/storage/c1/r1/photo.png"), "png bytes");
  EXPECT_TRUE(bucket_->list("").empty());
}

TEST_F(RestoreIntoTheSettingsStoreTest, S3SettingsPutTheFilesIntoTheirBucketBeforeStaging) {
  // The snapshot's settings name the bucket; the settings in use at restore time do not
  // matter (the restarted server reads the restored ones).
  enable_s3_settings();
  sync_wait(service_->create("s3.zip"));
  const auto off = boost::json::parse(R"({"s3":{"enabled":false}})").as_object();
  sync_wait(settings_->patch(off));
  sync_wait(service_->restore("s3.zip"));
  EXPECT_TRUE(seen_s3_enabled_);
  EXPECT_EQ(seen_bucket_, "files-bucket");
  EXPECT_EQ(read_file(data() / "bucket/c1/r1/photo.png"), "png bytes");
  EXPECT_EQ(bucket_->stat("c1/r1/photo.png")->size, 9u);
  EXPECT_TRUE(std::filesystem::exists(data() / ".restore/incoming/data.db"));
  EXPECT_FALSE(std::filesystem::exists(data() / ".restore/incoming/storage"));
  EXPECT_EQ(restarts_, 1);
}

// A store that refuses every put: a bucket that is unreachable or refuses the credentials.
class RefusingStore final : public files::Storage {
 public:
  std::string_view kind() const noexcept override { return "s3"; }
  void put_file(std::string_view, const std::filesystem::path&, std::string_view) override {
    throw files::StorageError("refused");
  }
  std::optional<files::ObjectInfo> stat(std::string_view) override { return std::nullopt; }
  std::string read_range(std::string_view, std::uint64_t, std::uint64_t) override { return {}; }
  std::optional<std::filesystem::path> local_path(std::string_view) override {
    return std::nullopt;
  }
  void remove(std::string_view) override {}
  void remove_prefix(std::string_view) override {}
  std::vector<std::string> list(std::string_view) override { return {}; }
};

TEST_F(RestoreIntoTheSettingsStoreTest, AnUnusableBucketFailsTheRestoreAndStagesNothing) {
  enable_s3_settings();
  sync_wait(service_->create("s3.zip"));
  bucket_ = std::make_shared<RefusingStore>();
  EXPECT_EQ(error_of([&] { sync_wait(service_->restore("s3.zip")); }),
            "400 Failed to restore backup: its files could not be stored in the file storage "
            "its settings name.");
  EXPECT_FALSE(std::filesystem::exists(data() / ".restore"));
  EXPECT_TRUE(std::filesystem::is_empty(data() / kTempDirName));
  EXPECT_FALSE(service_->busy());
  EXPECT_EQ(restarts_, 0);
}

}  // namespace
}  // namespace basalt::backups
