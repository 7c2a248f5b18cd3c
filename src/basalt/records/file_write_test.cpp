// The record write path with files (docs/files.md, "Life of a file") against a real SQLite
// database, a real LocalStorage directory and a real blocking pool: new files are stored before
// the transaction and removed again when it fails; files a commit drops are removed after it.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <fstream>
#include <sstream>

#include "basalt/collections/collection_service.hpp"
#include "basalt/collections/file_removals.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/core/blocking_pool.hpp"
#include "basalt/core/clock.hpp"
#include "basalt/db/migrations.hpp"
#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/db/testing/temp_dir.hpp"
#include "basalt/files/local_storage.hpp"
#include "basalt/records/file_removal_drain.hpp"
#include "basalt/records/orphan_sweep.hpp"
#include "basalt/records/record_service.hpp"
#include "basalt/schema/collection_json.hpp"

namespace basalt::records {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using db::testing::sync_wait;

class NoPasswords final : public PasswordPort {
 public:
  boost::asio::awaitable<std::string> hash(std::string plain, std::string_view) const override {
    co_return "hashed:" + plain;
  }
  boost::asio::awaitable<bool> verify(std::string, std::string, std::string_view) const override {
    co_return false;
  }
};

constexpr std::string_view kDocs = R"js({
  "name": "docs", "type": "base",
  "listRule": "", "viewRule": "", "createRule": "", "updateRule": "", "deleteRule": "",
  "fields": [
    {"name": "title", "type": "text"},
    {"name": "cover", "type": "file", "maxSelect": 1, "maxSize": 100},
    {"name": "files", "type": "file", "maxSelect": 3, "maxSize": 100,
     "mimeTypes": ["text/plain"]}
  ],
  "indexes": ["CREATE UNIQUE INDEX idx_docs_title ON docs (title) WHERE title != ''"]
})js";

class FileWriteTest : public ::testing::Test {
 protected:
  FileWriteTest() {
    db::SqliteOptions options;
    options.data_dir = dir_.path();
    options.statement_timeout = std::chrono::seconds(5);
    database_ = db::open_sqlite(options);
    migrations_ = collections::system_migrations(database_->dialect(), clock_);
    sync_wait(db::apply_migrations(*database_, migrations_));
    collections_ = std::make_unique<collections::CollectionService>(*database_, clock_);
    sync_wait(collections_->reload());
    fs::create_directories(spool());
    storage_ = std::make_shared<files::LocalStorage>(dir_.path() / "storage");
    store_ = std::make_unique<FileStore>([storage = storage_] { return storage; }, blocking_);
    service_ = std::make_unique<RecordService>(*database_, *collections_, plans_, passwords_,
                                               events_, clock_);
    service_->set_file_store(store_.get());
    sync_wait(collections_->create(json::parse(kDocs)));
    docs_id_ = collections_->catalog()->find("docs")->id;
    superuser_record_ = {{"id", "su0000000000001"}};
  }

  fs::path spool() const { return dir_.path() / "spool"; }

  Caller superuser() {
    catalog_ = collections_->catalog();
    return Caller{catalog_->find("_superusers"), &superuser_record_};
  }

  Upload upload(std::string part, std::string filename, std::string_view content) {
    Upload out;
    out.part = std::move(part);
    out.filename = std::move(filename);
    out.file = core::TempFile::create(spool(), "upload");
    out.file.write(content);
    out.file.close();
    out.size = content.size();
    return out;
  }

  WriteInput input(std::string_view body, std::vector<Upload> uploads = {}) {
    WriteInput out;
    out.body = json::parse(body).as_object();
    out.uploads = std::move(uploads);
    return out;
  }

  json::object create(WriteInput in) {
    return sync_wait(service_->create(superuser(), "docs", std::move(in), {})).record.values;
  }
  json::object update(std::string_view id, WriteInput in) {
    return sync_wait(service_->update(superuser(), "docs", id, std::move(in), {})).record.values;
  }

  // Every stored key, sorted.
  std::vector<std::string> stored() {
    std::vector<std::string> keys = storage_->list("");
    std::sort(keys.begin(), keys.end());
    return keys;
  }
  std::string key(const json::object& record, std::string_view name) {
    return docs_id_ + "/" + std::string(record.at("id").as_string()) + "/" + std::string(name);
  }
  std::string read(const std::string& key) {
    std::ifstream in(*storage_->local_path(key), std::ios::binary);
    std::stringstream out;
    out << in.rdbuf();
    return out.str();
  }

  template <typename Call>
  core::ApiError error_of(Call call) {
    try {
      call();
    } catch (const core::ApiError& error) {
      return error;
    }
    ADD_FAILURE() << "expected an ApiError";
    return core::ApiError(0);
  }

  core::ManualClock clock_{std::chrono::system_clock::now()};
  db::testing::TempDir dir_;
  std::unique_ptr<db::Database> database_;
  std::vector<db::Migration> migrations_;
  std::unique_ptr<collections::CollectionService> collections_;
  query::PlanCache plans_;
  NoPasswords passwords_;
  EventBus events_;
  core::BlockingPool blocking_{{1, 16}};
  std::shared_ptr<files::LocalStorage> storage_;
  std::unique_ptr<FileStore> store_;
  std::unique_ptr<RecordService> service_;
  std::shared_ptr<const collections::Catalog> catalog_;
  json::object superuser_record_;
  std::string docs_id_;
};

TEST_F(FileWriteTest, CreateStoresTheUploadAtItsKeyAndTakesTheSpooledFile) {
  std::vector<Upload> uploads;
  uploads.push_back(upload("cover", "Hello World.txt", "hello"));
  json::object record = create(input(R"({"title":"a"})", std::move(uploads)));
  const std::string name(record.at("cover").as_string());
  EXPECT_TRUE(name.starts_with("hello_world_") && name.ends_with(".txt")) << name;
  EXPECT_EQ(stored(), std::vector<std::string>{key(record, name)});
  EXPECT_EQ(read(key(record, name)), "hello");
  EXPECT_TRUE(fs::is_empty(spool()));  // renamed into storage, not copied
}

TEST_F(FileWriteTest, AFailedTransactionRemovesTheFilesItStored) {
  create(input(R"({"title":"taken"})"));
  std::vector<Upload> uploads;
  uploads.push_back(upload("cover", "c.txt", "never kept"));
  core::ApiError error =
      error_of([&] { create(input(R"({"title":"taken"})", std::move(uploads))); });
  EXPECT_EQ(error.status(), 400);
  EXPECT_TRUE(stored().empty());
  EXPECT_TRUE(fs::is_empty(spool()));
}

TEST_F(FileWriteTest, ValidationRefusesBeforeAnythingIsStored) {
  std::vector<Upload> big;
  Upload oversize = upload("cover", "big.txt", "");
  oversize.kept = false;  // the transport dropped it past maxSize
  oversize.file = core::TempFile();
  oversize.size = 5000;
  big.push_back(std::move(oversize));
  core::ApiError error = error_of([&] { create(input("{}", std::move(big))); });
  EXPECT_EQ(error.status(), 400);
  EXPECT_EQ(error.data().at("cover").at("code").as_string(), "validation_file_size_limit");

  std::vector<Upload> png;
  png.push_back(
      upload("files", "fake.txt",
             std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0", 29)));
  error = error_of([&] { create(input("{}", std::move(png))); });
  EXPECT_EQ(error.data().at("files").at("code").as_string(), "validation_invalid_mime_type");

  std::vector<Upload> wrong_field;
  wrong_field.push_back(upload("title", "t.txt", "x"));
  wrong_field.push_back(upload("files-", "t.txt", "x"));
  error = error_of([&] { create(input("{}", std::move(wrong_field))); });
  EXPECT_EQ(error.data().at("title").at("code").as_string(), "validation_invalid_file_part");
  EXPECT_EQ(error.data().at("files-").at("code").as_string(), "validation_invalid_file_part");

  EXPECT_TRUE(stored().empty());
  EXPECT_TRUE(fs::is_empty(spool()));
}

TEST_F(FileWriteTest, ObjectsAClientSendsAreNeverUploads) {
  json::object record = create(input(
      R"({"cover":{"upload":0,"name":"x.txt","size":1,"mimeType":"text/plain"},
          "files":[{"upload":0,"name":"y.txt","size":1}]})"));
  EXPECT_EQ(record.at("cover").as_string(), "");
  EXPECT_TRUE(record.at("files").as_array().empty());
  EXPECT_TRUE(stored().empty());
}

TEST_F(FileWriteTest, UpdatesReplaceAppendKeepAndRemove) {
  std::vector<Upload> first;
  first.push_back(upload("cover", "one.txt", "1"));
  first.push_back(upload("files", "a.txt", "file a"));
  first.push_back(upload("files", "b.txt", "file b"));
  json::object record = create(input("{}", std::move(first)));
  const std::string id(record.at("id").as_string());
  const std::string old_cover(record.at("cover").as_string());
  const json::array files = record.at("files").as_array();
  ASSERT_EQ(files.size(), 2u);

  // Replace the single file: the old one goes after the commit.
  std::vector<Upload> replacement;
  replacement.push_back(upload("cover", "two.txt", "2"));
  record = update(id, input("{}", std::move(replacement)));
  EXPECT_FALSE(storage_->stat(key(record, old_cover)));
  EXPECT_EQ(read(key(record, record.at("cover").as_string())), "2");

  // Keep one sent name, add one: the other old name is removed.
  std::vector<Upload> more;
  more.push_back(upload("files", "c.txt", "file c"));
  record = update(
      id, input(R"({"files":[")" + std::string(files[1].as_string()) + R"("]})", std::move(more)));
  ASSERT_EQ(record.at("files").as_array().size(), 2u);
  EXPECT_EQ(record.at("files").as_array()[0], files[1]);
  EXPECT_FALSE(storage_->stat(key(record, files[0].as_string())));

  // Remove by name.
  record = update(id, input(R"({"files-":[")" + std::string(files[1].as_string()) + R"("]})"));
  EXPECT_EQ(record.at("files").as_array().size(), 1u);
  EXPECT_EQ(stored().size(), 2u);  // the cover and the remaining file

  // A second upload to a single-file field: only the last is kept, the other not left behind.
  std::vector<Upload> two;
  two.push_back(upload("cover", "x.txt", "x"));
  two.push_back(upload("cover", "y.txt", "y"));
  record = update(id, input("{}", std::move(two)));
  EXPECT_TRUE(std::string(record.at("cover").as_string()).starts_with("y"));
  EXPECT_EQ(stored().size(), 2u);
  EXPECT_TRUE(fs::is_empty(spool()));

  sync_wait(service_->remove(superuser(), "docs", id, {}));
  EXPECT_TRUE(stored().empty());
}

TEST_F(FileWriteTest, AFailedBatchRemovesEveryFileItsOperationsStored) {
  std::vector<BatchOperation> operations(2);
  operations[0].collection = "docs";
  operations[0].input = input(R"({"title":"dup"})");
  operations[0].input.uploads.push_back(upload("cover", "a.txt", "a"));
  operations[1].collection = "docs";
  operations[1].input = input(R"({"title":"dup"})");
  operations[1].input.uploads.push_back(upload("cover", "b.txt", "b"));
  EXPECT_THROW(
      sync_wait(service_->batch(superuser(), std::move(operations), std::chrono::seconds(5))),
      BatchError);
  EXPECT_TRUE(stored().empty());
  EXPECT_TRUE(fs::is_empty(spool()));
}

TEST_F(FileWriteTest, TheSweepRemovesOnlyOldUnnamedObjects) {
  std::vector<Upload> uploads;
  uploads.push_back(upload("cover", "kept.txt", "kept"));
  json::object record = create(input("{}", std::move(uploads)));
  const std::string named = key(record, record.at("cover").as_string());
  core::TempFile orphan = core::TempFile::create(spool(), "orphan");
  orphan.write("o");
  storage_->put_file(docs_id_ + "/gone/lost.txt", orphan.path(), "");
  storage_->put_file(docs_id_ + "/gone/thumbs_lost.txt/10x10_lost.txt", orphan.path(), "");

  std::atomic<bool> stop{false};
  SweepOptions options;
  options.older_than = std::chrono::system_clock::now() - std::chrono::hours(1);
  SweepReport report =
      sync_wait(sweep_orphan_files(*database_, collections_->catalog(), *storage_, options, stop));
  EXPECT_EQ(report.removed, 0u);  // everything is newer than `older_than`
  EXPECT_EQ(report.kept_recent, 2u);

  options.older_than = std::chrono::system_clock::now() + std::chrono::hours(1);
  report =
      sync_wait(sweep_orphan_files(*database_, collections_->catalog(), *storage_, options, stop));
  EXPECT_EQ(report.removed, 2u);
  EXPECT_EQ(stored(), std::vector<std::string>{named});
}

TEST_F(FileWriteTest, TheSweepRemovesThroughTheDeletionGate) {
  core::TempFile orphan = core::TempFile::create(spool(), "orphan");
  orphan.write("o");
  const std::string lost = docs_id_ + "/gone/lost.txt";
  storage_->put_file(lost, orphan.path(), "");
  files::DeletionGate gate(*storage_);
  std::atomic<bool> stop{false};
  SweepOptions options;
  options.older_than = std::chrono::system_clock::now() + std::chrono::hours(1);
  options.gate = &gate;
  {
    files::DeletionGate::Hold hold(gate);  // a backup copying files
    SweepReport report = sync_wait(
        sweep_orphan_files(*database_, collections_->catalog(), *storage_, options, stop));
    EXPECT_EQ(report.removed, 1u);
    EXPECT_EQ(stored(), std::vector<std::string>{lost});  // queued, still there
  }
  EXPECT_TRUE(stored().empty());  // removed once the hold ended
}

TEST_F(FileWriteTest, TheSweepLeavesObjectsOutsideBasaltsKeysAlone) {
  // A shared bucket: backups at its root, another application's keys, a test object, a key of
  // a collection this database does not have.
  core::TempFile other = core::TempFile::create(spool(), "other");
  other.write("o");
  const std::vector<std::string> foreign = {
      "pb_backup_acme_20250102030405.zip", "pb_settings_test_abc",  "images/2024/photo.png",
      "nocollection123/rec/file.txt",      docs_id_ + "/loose.txt", docs_id_ + "/r/x/y/z.txt"};
  for (const std::string& key : foreign) storage_->put_file(key, other.path(), "");
  storage_->put_file(docs_id_ + "/gone/lost.txt", other.path(), "");

  std::atomic<bool> stop{false};
  SweepOptions options;
  options.older_than = std::chrono::system_clock::now() + std::chrono::hours(1);
  SweepReport report =
      sync_wait(sweep_orphan_files(*database_, collections_->catalog(), *storage_, options, stop));
  EXPECT_EQ(report.removed, 1u);  // the orphan of docs only
  EXPECT_EQ(report.foreign, foreign.size());
  std::vector<std::string> expected = foreign;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(stored(), expected);
}

TEST_F(FileWriteTest, AViewsFileIsServedFromTheRecordOfItsSourceCollection) {
  std::vector<Upload> uploads;
  uploads.push_back(upload("files", "a.txt", "file a"));
  uploads.push_back(upload("files", "b.txt", "file b"));
  json::object record = create(input("{}", std::move(uploads)));
  const std::string id(record.at("id").as_string());
  const std::string second(record.at("files").as_array()[1].as_string());
  sync_wait(collections_->create(json::parse(R"({"name": "papers", "type": "view",
      "listRule": "", "viewRule": "", "viewQuery": "SELECT id, files AS pages FROM docs"})")));
  sync_wait(collections_->create(json::parse(R"({"name": "papers2", "type": "view",
      "viewRule": "", "viewQuery": "SELECT id, pages AS sheets FROM papers"})")));
  for (std::string_view view : {"papers", "papers2"}) {
    const FileAccess access =
        sync_wait(service_->file_access(superuser(), view, id, second, query::RequestInfo{}));
    EXPECT_EQ(access.collection->name, view);
    EXPECT_EQ(access.files_collection_id, docs_id_) << view;
    EXPECT_EQ(access.files_record_id, id) << view;
  }
  const core::ApiError missing = error_of([&] {
    sync_wait(service_->file_access(superuser(), "papers", id, "other_0123456789.txt",
                                    query::RequestInfo{}));
  });
  EXPECT_EQ(missing.status(), 404);
}

// --- Files of removed fields and collections (collections/file_removals.hpp) ---

// The docs collection's fields as PATCH takes them (ids included, so they are kept).
json::array docs_fields(const collections::CollectionService& service) {
  const schema::Collection* docs = service.catalog()->find("docs");
  return schema::collection_to_json(*docs, schema::JsonForm::kPublic).at("fields").as_array();
}

json::array without_field(json::array fields, std::string_view name) {
  json::array out;
  for (json::value& field : fields) {
    if (field.at("name").as_string() != name) out.push_back(std::move(field));
  }
  return out;
}

json::object with_fields(json::array fields) {
  json::object body;
  body["fields"] = std::move(fields);
  return body;
}

class DroppedFilesTest : public FileWriteTest {
 protected:
  // A record with a cover, two files and a thumbnail of the first file.
  json::object record_with_files() {
    std::vector<Upload> uploads;
    uploads.push_back(upload("cover", "c.txt", "cover"));
    uploads.push_back(upload("files", "a.txt", "file a"));
    uploads.push_back(upload("files", "b.txt", "file b"));
    json::object record = create(input("{}", std::move(uploads)));
    const std::string id(record.at("id").as_string());
    const std::string first(record.at("files").as_array()[0].as_string());
    core::TempFile thumb = core::TempFile::create(spool(), "thumb");
    thumb.write("t");
    storage_->put_file(files::thumb_key(docs_id_, id, first, "100x100"), thumb.path(), "");
    return record;
  }

  std::vector<collections::FileRemoval> queued() {
    return sync_wait(collections::next_file_removals(*database_, 1000));
  }

  DrainReport drain(files::DeletionGate* gate = nullptr, std::size_t page_size = 100) {
    std::atomic<bool> stop{false};
    DrainOptions options;
    options.page_size = page_size;
    options.gate = gate;
    return sync_wait(drain_file_removals(*database_, *storage_, options, stop));
  }
};

TEST_F(DroppedFilesTest, DroppingAFileFieldRemovesItsFilesAndThumbnailsOnlyAfterTheDrain) {
  json::object first = record_with_files();
  json::object second = record_with_files();
  create(input(R"({"title":"no files"})"));
  sync_wait(collections_->update("docs",
                                 with_fields(without_field(docs_fields(*collections_), "files"))));
  // Queued in the change's commit, one row per record that had names; nothing removed yet.
  EXPECT_EQ(queued().size(), 2u);
  EXPECT_EQ(stored().size(), 2u * 4u);

  DrainReport report = drain(nullptr, 1);  // one row per page: several steps
  EXPECT_EQ(report.rows, 2u);
  EXPECT_FALSE(report.failed);
  EXPECT_TRUE(queued().empty());
  std::vector<std::string> expected = {key(first, first.at("cover").as_string()),
                                       key(second, second.at("cover").as_string())};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(stored(), expected);
}

TEST_F(DroppedFilesTest, RenamingAFileFieldOrChangingItsOptionsRemovesNothing) {
  record_with_files();
  json::array fields = docs_fields(*collections_);
  for (json::value& field : fields) {
    if (field.at("name").as_string() == "files") {
      field.as_object()["name"] = "attachments";
      field.as_object()["maxSelect"] = 2;  // lower, still multiple: values are untouched
      field.as_object()["maxSize"] = 50;
    }
  }
  sync_wait(collections_->update("docs", with_fields(std::move(fields))));
  EXPECT_TRUE(queued().empty());
  EXPECT_EQ(drain().rows, 0u);
  EXPECT_EQ(stored().size(), 4u);
}

TEST_F(DroppedFilesTest, AMultipleFieldMadeSingleRemovesEveryNameButTheLastItKeeps) {
  json::object record = record_with_files();
  const json::array names = record.at("files").as_array();
  json::array fields = docs_fields(*collections_);
  for (json::value& field : fields) {
    if (field.at("name").as_string() == "files") field.as_object()["maxSelect"] = 1;
  }
  sync_wait(collections_->update("docs", with_fields(std::move(fields))));
  drain();
  const json::object after =
      sync_wait(service_->view(superuser(), "docs", record.at("id").as_string(), {}, {}))
          .record.values;
  EXPECT_EQ(after.at("files"), names[1]);  // the column keeps the last name
  std::vector<std::string> expected = {key(record, record.at("cover").as_string()),
                                       key(record, names[1].as_string())};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(stored(), expected);  // the first name and its thumbnail are gone
}

TEST_F(DroppedFilesTest, DeletingOrImportingAwayACollectionRemovesItsWholePrefix) {
  record_with_files();
  sync_wait(collections_->remove("docs"));
  EXPECT_EQ(queued().size(), 1u);
  EXPECT_EQ(stored().size(), 4u);
  drain();
  EXPECT_TRUE(stored().empty());
  EXPECT_TRUE(queued().empty());
}

TEST_F(DroppedFilesTest, ACollectionReCreatedWithTheSameIdKeepsItsNewFiles) {
  record_with_files();
  sync_wait(collections_->remove("docs"));
  json::object again = json::parse(kDocs).as_object();
  again["id"] = docs_id_;
  sync_wait(collections_->create(again));
  json::object fresh = record_with_files();
  std::atomic<bool> stop{false};
  DrainOptions options;
  options.collection_exists = [this](std::string_view id) {
    return collections_->catalog()->find(id) != nullptr;
  };
  const DrainReport report = sync_wait(drain_file_removals(*database_, *storage_, options, stop));
  EXPECT_EQ(report.skipped, 1u);
  EXPECT_TRUE(queued().empty());
  // The new record's four objects and the old record's four (left to the startup sweep).
  EXPECT_EQ(stored().size(), 8u);
  EXPECT_TRUE(storage_->stat(key(fresh, fresh.at("cover").as_string())));
}

TEST_F(DroppedFilesTest, AnImportThatDropsAFileFieldQueuesItsFiles) {
  json::object record = record_with_files();
  json::object docs =
      schema::collection_to_json(*collections_->catalog()->find("docs"), schema::JsonForm::kPublic);
  docs["fields"] = without_field(docs.at("fields").as_array(), "files");
  json::array items;
  items.push_back(std::move(docs));
  const json::value imported(std::move(items));
  sync_wait(collections_->import(imported, false));
  drain();
  EXPECT_EQ(stored(), std::vector<std::string>{key(record, record.at("cover").as_string())});
}

TEST_F(DroppedFilesTest, TheDrainRemovesThroughTheDeletionGateAndTheListenerIsCalled) {
  int woken = 0;
  collections_->on_files_queued([&woken] { ++woken; });
  record_with_files();
  sync_wait(collections_->update("docs",
                                 with_fields(without_field(docs_fields(*collections_), "files"))));
  EXPECT_EQ(woken, 1);
  files::DeletionGate gate(*storage_);
  {
    files::DeletionGate::Hold hold(gate);  // a backup copying files
    EXPECT_EQ(drain(&gate).rows, 1u);
    EXPECT_EQ(stored().size(), 4u);  // held back
  }
  EXPECT_EQ(stored().size(), 1u);  // the cover only
}

TEST_F(DroppedFilesTest, AFailedChangeQueuesNothing) {
  record_with_files();
  json::object body = with_fields(without_field(docs_fields(*collections_), "files"));
  body["listRule"] = "files != ''";  // names the field the change removes: refused
  EXPECT_THROW(sync_wait(collections_->update("docs", body)), core::ApiError);
  EXPECT_EQ(stored().size(), 4u);
  EXPECT_TRUE(queued().empty());
}

TEST(DroppedNames, DecodeOneNameOrAnArrayAndKeepTheLastWhenAsked) {
  using collections::dropped_names;
  EXPECT_EQ(dropped_names("a.txt", false), std::vector<std::string>{"a.txt"});
  EXPECT_TRUE(dropped_names("a.txt", true).empty());
  EXPECT_EQ(dropped_names(R"(["a","b","c"])", true), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(dropped_names(R"(["a","b"])", false), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(dropped_names("", false).empty());
}

}  // namespace
}  // namespace basalt::records
