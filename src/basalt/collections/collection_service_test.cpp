// The collection service against a real SQLite database: system install, create, update,
// delete and import, including the all-or-nothing guarantee.
#include "basalt/collections/collection_service.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "basalt/collections/collection_list.hpp"
#include "basalt/collections/testing/collection_service_fixture.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/db/migrations.hpp"
#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/db/testing/temp_dir.hpp"
#include "basalt/schema/system_collections.hpp"

namespace basalt::collections {
namespace {

namespace json = boost::json;
using db::testing::sync_wait;

class CollectionServiceTest : public testing::CollectionServiceFixture {
 protected:
  schema::Collection create(std::string_view body) {
    try {
      return sync_wait(service_->create(json::parse(body)));
    } catch (const core::ApiError& error) {
      ADD_FAILURE() << error.message() << " " << json::serialize(error.data());
      throw;
    }
  }

  void import(std::string_view items, bool delete_missing) {
    try {
      sync_wait(service_->import(json::parse(items), delete_missing));
    } catch (const core::ApiError& error) {
      ADD_FAILURE() << error.message() << " " << json::serialize(error.data());
      throw;
    }
  }

  void create_expecting_error(std::string_view body) {
    sync_wait(service_->create(json::parse(body)));
  }

  // The ApiError a call throws (fails the test when it throws none).
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

  bool table_exists(std::string_view name) {
    return !sync_wait(
                database_->query("SELECT 1 FROM sqlite_master WHERE name = ?1", std::string(name)))
                .empty();
  }
};

TEST_F(CollectionServiceTest, SystemCollectionsAreInstalledOnce) {
  auto catalog = service_->catalog();
  for (auto name : {"_superusers", "users", "_externalAuths", "_mfas", "_otps", "_authOrigins"}) {
    ASSERT_NE(catalog->find(name), nullptr) << name;
    EXPECT_TRUE(table_exists(name)) << name;
  }
  EXPECT_EQ(catalog->find("users")->id, "_pb_users_auth_");
  EXPECT_EQ(catalog->find("_superusers")->id, "pbc_3142635823");
  EXPECT_TRUE(table_exists("_params"));
  // Basalt's TOTP enrollments: a table no collection may take the name of.
  EXPECT_TRUE(table_exists("_totp"));
  EXPECT_THROW(sync_wait(service_->create(json::parse(R"({"name":"_totp","type":"base"})"))),
               core::ApiError);
  // Running the migrations again is a no-op.
  EXPECT_TRUE(sync_wait(db::apply_migrations(*database_, migrations_)).empty());
}

TEST_F(CollectionServiceTest, CreateMakesTableAndPublishesANewCatalog) {
  const auto before = service_->catalog()->version();
  schema::Collection posts = create(R"({"name":"posts","type":"base","fields":[
      {"name":"title","type":"text","required":true},
      {"name":"author","type":"relation","collectionId":"_pb_users_auth_","maxSelect":1}]})");
  EXPECT_EQ(posts.id.rfind("pbc_", 0), 0u);
  EXPECT_FALSE(posts.created.empty());
  EXPECT_TRUE(table_exists("posts"));
  auto catalog = service_->catalog();
  EXPECT_GT(catalog->version(), before);
  ASSERT_NE(catalog->find("POSTS"), nullptr);
  EXPECT_NE(catalog->find("posts")->field_by_name("id"), nullptr);
}

TEST_F(CollectionServiceTest, DefinitionsAreStampedByTheServiceClock) {
  EXPECT_EQ(service_->catalog()->find("users")->created, kStartText);  // the system install
  clock_.advance(std::chrono::minutes(1));
  schema::Collection made = create(R"({"name":"stamped","type":"base"})");
  EXPECT_EQ(made.created, "2024-05-06 07:09:09.123Z");
  EXPECT_EQ(made.updated, made.created);
  clock_.advance(std::chrono::minutes(1));
  schema::Collection changed =
      sync_wait(service_->update("stamped", json::parse(R"({"listRule":""})")));
  EXPECT_EQ(changed.created, "2024-05-06 07:09:09.123Z");
  EXPECT_EQ(changed.updated, "2024-05-06 07:10:09.123Z");

  // The list's @now is the instant it is given (the handler passes the clock's).
  query::PlanCache plans;
  CollectionListQuery list;
  list.filter = "created = @now";
  CollectionPage page = sync_wait(list_collections(*database_, plans, service_->catalog(), list,
                                                   kStart + std::chrono::minutes(1)));
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0]->name, "stamped");
}

TEST_F(CollectionServiceTest, InvalidCreateReportsEveryProblemAndStoresNothing) {
  auto error = error_of([&] {
    create_expecting_error(R"({"name":"bad name!","type":"base","fields":[
        {"name":"title","type":"text"},{"name":"title","type":"text"},
        {"name":"kind","type":"select","values":[]}]})");
  });
  EXPECT_EQ(error.status(), 400);
  EXPECT_EQ(error.message(), "Failed to create collection.");
  const json::object& data = error.data();
  EXPECT_TRUE(data.contains("name")) << json::serialize(data);
  ASSERT_TRUE(data.contains("fields")) << json::serialize(data);
  EXPECT_GE(data.at("fields").as_object().size(), 1u) << json::serialize(data);
  EXPECT_EQ(service_->catalog()->find("bad name!"), nullptr);
}

TEST_F(CollectionServiceTest, RulesAreCompiledWhenSaved) {
  auto error = error_of([&] {
    create_expecting_error(R"({"name":"posts","type":"base","listRule":"nosuchfield = 1"})");
  });
  EXPECT_EQ(error.status(), 400);
  EXPECT_TRUE(error.data().contains("listRule")) << json::serialize(error.data());
  create(R"({"name":"posts","type":"base","fields":[{"name":"title","type":"text"}],
      "listRule":"title != '' && @request.auth.id != ''"})");
}

TEST_F(CollectionServiceTest, DuplicateNameIsRefused) {
  create(R"({"name":"notes","type":"base"})");
  auto error = error_of([&] { create_expecting_error(R"({"name":"Notes","type":"base"})"); });
  EXPECT_EQ(error.status(), 400);
  EXPECT_TRUE(error.data().contains("name"));
}

TEST_F(CollectionServiceTest, UpdateRenamesAFieldAndKeepsItsData) {
  schema::Collection notes =
      create(R"({"name":"notes","type":"base","fields":[{"name":"body","type":"text"}]})");
  sync_wait(database_->write([](db::Transaction& tx) -> boost::asio::awaitable<void> {
    co_await tx.execute("INSERT INTO notes (id, body) VALUES ('n1', 'kept')");
  }));
  json::object body = json::parse(R"({"fields":[]})").as_object();
  json::array fields;
  for (const auto& field : notes.fields) {
    json::object f = {{"id", field.id}, {"name", field.name}, {"type", field.type_name()}};
    if (field.name == "body") f["name"] = "content";
    if (field.name == "id")
      f = json::parse(R"({"name":"id","type":"text","primaryKey":true,
        "required":true,"system":true,"min":15,"max":15,"pattern":"^[a-z0-9]+$",
        "autogeneratePattern":"[a-z0-9]{15}"})")
              .as_object(),
      f["id"] = field.id;
    fields.push_back(f);
  }
  body["fields"] = fields;
  sync_wait(service_->update("notes", body));
  auto rows = sync_wait(database_->query("SELECT content FROM notes WHERE id = 'n1'"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].as_text(0), "kept");
}

TEST_F(CollectionServiceTest, UpdateOfAMissingCollectionIs404) {
  auto error = error_of([&] { sync_wait(service_->update("nope", json::object{})); });
  EXPECT_EQ(error.status(), 404);
}

TEST_F(CollectionServiceTest, DeleteDropsTheTableButNotSystemOrReferencedOnes) {
  schema::Collection tags = create(R"({"name":"tags","type":"base"})");
  create(R"({"name":"posts","type":"base","fields":[
      {"name":"tag","type":"relation","collectionId":")" +
         tags.id + R"(","maxSelect":1}]})");
  EXPECT_EQ(error_of([&] { sync_wait(service_->remove("_superusers")); }).status(), 400);
  EXPECT_EQ(error_of([&] { sync_wait(service_->remove("tags")); }).status(), 400);
  sync_wait(service_->remove("posts"));
  EXPECT_FALSE(table_exists("posts"));
  sync_wait(service_->remove("tags"));
  EXPECT_EQ(service_->catalog()->find("tags"), nullptr);
  EXPECT_EQ(error_of([&] { sync_wait(service_->remove("tags")); }).status(), 404);
}

TEST_F(CollectionServiceTest, ViewFieldsAreInferredFromTheQuery) {
  create(R"({"name":"posts","type":"base","fields":[
      {"name":"title","type":"text"},
      {"name":"author","type":"relation","collectionId":"_pb_users_auth_","maxSelect":1}]})");
  schema::Collection view = create(R"({"name":"post_titles","type":"view",
      "viewQuery":"SELECT id, title, author, length(title) AS size FROM posts"})");
  ASSERT_EQ(view.fields.size(), 4u);
  EXPECT_EQ(view.field_by_name("title")->type(), schema::FieldType::kText);
  EXPECT_EQ(view.field_by_name("author")->type(), schema::FieldType::kRelation);
  EXPECT_EQ(view.field_by_name("size")->type(), schema::FieldType::kJson);
  EXPECT_TRUE(table_exists("post_titles"));

  auto missing_id = error_of([&] {
    create_expecting_error(
        R"({"name":"bad_view","type":"view","viewQuery":"SELECT title FROM posts"})");
  });
  EXPECT_TRUE(missing_id.data().contains("viewQuery"));
  auto two_statements = error_of([&] {
    create_expecting_error(
        R"({"name":"bad_view","type":"view","viewQuery":"SELECT id FROM posts; DROP TABLE posts"})");
  });
  EXPECT_TRUE(two_statements.data().contains("viewQuery"));
  EXPECT_TRUE(table_exists("posts"));
}

TEST_F(CollectionServiceTest, ImportCreatesCollectionsThatReferenceEachOther) {
  import((R"([
      {"id":"pbc_authors01","name":"authors","type":"base","fields":[{"name":"name","type":"text"}]},
      {"name":"books","type":"base","fields":[
        {"name":"author","type":"relation","collectionId":"pbc_authors01","maxSelect":1}]},
      {"name":"book_view","type":"view","viewQuery":"SELECT id, author FROM books"}])"),
         false);
  EXPECT_TRUE(table_exists("authors"));
  EXPECT_TRUE(table_exists("books"));
  EXPECT_TRUE(table_exists("book_view"));
}

TEST_F(CollectionServiceTest, BadImportChangesNothingAndNamesEveryProblem) {
  create(R"({"name":"keep","type":"base"})");
  const auto version = service_->catalog()->version();
  auto error = error_of([&] {
    sync_wait(service_->import(json::parse(R"([
        {"name":"fine","type":"base"},
        {"name":"broken","type":"base","fields":[{"name":"x","type":"nosuchtype"}]},
        {"name":"also broken!","type":"base"}])"),
                               true));
  });
  EXPECT_EQ(error.status(), 400);
  EXPECT_EQ(error.message(), "Failed to import collections.");
  const json::object& problems = error.data().at("collections").as_object();
  EXPECT_TRUE(problems.contains("1")) << json::serialize(error.data());
  EXPECT_TRUE(problems.contains("2")) << json::serialize(error.data());
  EXPECT_FALSE(table_exists("fine"));
  EXPECT_TRUE(table_exists("keep"));
  EXPECT_EQ(service_->catalog()->version(), version);
}

TEST_F(CollectionServiceTest, ImportWithDeleteMissingRemovesOthersButNotSystem) {
  create(R"({"name":"old_one","type":"base"})");
  import(R"([{"name":"new_one","type":"base"}])", true);
  EXPECT_FALSE(table_exists("old_one"));
  EXPECT_TRUE(table_exists("new_one"));
  EXPECT_NE(service_->catalog()->find("_superusers"), nullptr);
  EXPECT_EQ(service_->catalog()->find("users"), nullptr);  // `users` is not a system collection
}

TEST_F(CollectionServiceTest, ExportRoundTripsThroughImport) {
  create(R"({"name":"posts","type":"base","fields":[{"name":"title","type":"text"}]})");
  json::array exported = export_collections(*service_->catalog());
  sync_wait(service_->import(exported, false));  // importing what is there changes nothing
  EXPECT_EQ(export_collections(*service_->catalog()).size(), exported.size());
  for (const auto& item : exported) {
    EXPECT_FALSE(json::serialize(item).find("\"secret\":\"") != std::string::npos);
  }
}

}  // namespace
}  // namespace basalt::collections
