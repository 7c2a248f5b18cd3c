// The removal queue a collection change writes in its own transaction
// (collections/file_removals.hpp): exactly the names a change drops, nothing for changes that
// keep them, nothing for a change that fails.
#include "basalt/collections/file_removals.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>

#include "basalt/collections/collection_service.hpp"
#include "basalt/collections/testing/collection_service_fixture.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/schema/collection_json.hpp"

namespace basalt::collections {
namespace {

namespace json = boost::json;
using db::testing::sync_wait;

class FileRemovalQueueTest : public testing::CollectionServiceFixture {
 protected:
  void SetUp() override {
    sync_wait(service_->create(json::parse(R"js({
      "name": "albums", "type": "base",
      "fields": [{"name": "cover", "type": "file", "maxSelect": 1},
                 {"name": "photos", "type": "file", "maxSelect": 4},
                 {"name": "title", "type": "text"}]})js")));
    albums_id_ = service_->catalog()->find("albums")->id;
    auto insert = [this](std::string id, std::string cover, std::string photos) {
      auto job = [&](db::Transaction& tx) -> boost::asio::awaitable<void> {
        co_await tx.execute("INSERT INTO albums (id, cover, photos) VALUES (?1, ?2, ?3)", id, cover,
                            photos);
      };
      sync_wait(database_->write(job));
    };
    insert("a00000000000001", "c1.png", R"(["p1.png","p2.png","p3.png"])");
    insert("a00000000000002", "", "[]");
    insert("a00000000000003", "c3.png", R"(["p4.png"])");
  }

  json::array fields() {
    return schema::collection_to_json(*service_->catalog()->find("albums"),
                                      schema::JsonForm::kPublic)
        .at("fields")
        .as_array();
  }
  void patch(json::array next) {
    json::object body;
    body["fields"] = std::move(next);
    sync_wait(service_->update("albums", body));
  }
  // Queued (record id, names), sorted.
  std::vector<std::pair<std::string, std::vector<std::string>>> queue() {
    std::vector<std::pair<std::string, std::vector<std::string>>> out;
    for (FileRemoval& removal : sync_wait(next_file_removals(*database_, 100))) {
      EXPECT_EQ(removal.collection_id, albums_id_);
      out.emplace_back(removal.record_id, std::move(removal.names));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::string albums_id_;
};

TEST_F(FileRemovalQueueTest, ARemovedFileFieldQueuesEveryRecordsNames) {
  json::array next;
  for (json::value& field : fields()) {
    if (field.at("name").as_string() != "photos") next.push_back(field);
  }
  patch(std::move(next));
  using Row = std::pair<std::string, std::vector<std::string>>;
  EXPECT_EQ(queue(), (std::vector<Row>{{"a00000000000001", {"p1.png", "p2.png", "p3.png"}},
                                       {"a00000000000003", {"p4.png"}}}));
}

TEST_F(FileRemovalQueueTest, AFieldMadeSingleQueuesAllButTheLastName) {
  json::array next = fields();
  for (json::value& field : next) {
    if (field.at("name").as_string() == "photos") field.as_object()["maxSelect"] = 1;
  }
  patch(std::move(next));
  using Row = std::pair<std::string, std::vector<std::string>>;
  // The record with one name keeps it: its row names nothing.
  EXPECT_EQ(queue(),
            (std::vector<Row>{{"a00000000000001", {"p1.png", "p2.png"}}, {"a00000000000003", {}}}));
}

TEST_F(FileRemovalQueueTest, RenamesAndOptionChangesQueueNothing) {
  json::array next = fields();
  for (json::value& field : next) {
    if (field.at("name").as_string() == "photos") {
      field.as_object()["name"] = "pictures";
      field.as_object()["maxSelect"] = 2;
    }
    if (field.at("name").as_string() == "cover") field.as_object()["protected"] = true;
  }
  patch(std::move(next));
  json::object rename;
  rename["name"] = "records";
  sync_wait(service_->update("albums", rename));
  EXPECT_TRUE(queue().empty());
}

TEST_F(FileRemovalQueueTest, ADeleteQueuesTheCollectionAndAFailedChangeNothing) {
  json::object bad;
  bad["fields"] = json::array{};
  bad["listRule"] = "cover != ''";  // names a field the change removes
  EXPECT_THROW(sync_wait(service_->update("albums", bad)), core::ApiError);
  EXPECT_TRUE(queue().empty());

  sync_wait(service_->remove("albums"));
  using Row = std::pair<std::string, std::vector<std::string>>;
  EXPECT_EQ(queue(), (std::vector<Row>{{"", {}}}));
  const FileRemoval removal = sync_wait(next_file_removals(*database_, 1)).at(0);
  const std::vector<std::string> ids{removal.id};
  sync_wait(forget_file_removals(*database_, ids));
  EXPECT_TRUE(queue().empty());
}

TEST_F(FileRemovalQueueTest, NoCollectionMayTakeTheQueuesTableName) {
  EXPECT_THROW(sync_wait(service_->create(
                   json::parse(R"({"name": "_fileRemovals", "type": "base", "fields": []})"))),
               core::ApiError);
}

}  // namespace
}  // namespace basalt::collections
