// Mutations against a real SQLite database (docs/graphql.md, "Mutations"): the write fields and
// input types each caller class gets, one batch per request (a failing root field writes
// nothing), `where` with the write rule ANDed in, and the reads a mutation costs.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/graphql/graphql_service.hpp"
#include "basalt/graphql/testing/service_fixture.hpp"
#include "basalt/records/record_service.hpp"

namespace basalt::graphql {
namespace {

namespace json = boost::json;
using db::testing::sync_wait;

class GraphqlMutationTest : public ::testing::Test, public testing::ServiceFixture {
 protected:
  GraphqlMutationTest() {
    // Guests may create notes and delete those titled "a"; updates are for superusers.
    sync_wait(collections_->create(json::parse(
        R"js({"name": "notes", "listRule": "", "viewRule": "", "createRule": "",
        "deleteRule": "title = 'a'",
        "fields": [{"name": "title", "type": "text", "required": true},
                   {"name": "views", "type": "number", "onlyInt": true},
                   {"name": "created", "type": "autodate", "onCreate": true}]})js")));
    sync_wait(collections_->create(json::parse(
        R"js({"name": "locked", "listRule": "", "fields": [{"name": "code", "type": "text"}]})js")));
    sync_wait(collections_->create(json::parse(
        R"js({"name": "inbox", "createRule": "", "fields": [{"name": "msg", "type": "text"}]})js")));
    sync_wait(collections_->create(json::parse(
        R"js({"name": "note_titles", "type": "view", "listRule": "",
        "viewQuery": "SELECT id, title FROM notes"})js")));
  }

  // The answer's JSON for a guest, or a superuser.
  json::value run(std::string_view document, bool superuser = false) {
    catalog_ = collections_->catalog();
    records::Caller caller;
    if (superuser) caller = {catalog_->find("_superusers"), &superuser_record_};
    GraphqlRequest request;
    request.document = document;
    GraphqlAnswer answer = sync_wait(service_->execute(caller, request, {}, RequestPolicy{}));
    return json::parse(answer.body);
  }

  std::string titles() {
    return json::serialize(
        run("{ notes(order_by: [{title: asc}]) { title } }", true).at("data").at("notes"));
  }

  static bool has_field(const TypeDef* type, std::string_view name) {
    if (type == nullptr) return false;
    for (const FieldDef& field : type->fields) {
      if (field.name == name) return true;
    }
    for (const InputValueDef& field : type->input_fields) {
      if (field.name == name) return true;
    }
    return false;
  }

  std::shared_ptr<const collections::Catalog> catalog_;
};

TEST_F(GraphqlMutationTest, WriteFieldsFollowTheRulesOfEachCallerClass) {
  const auto guest = service_->schema_for(CallerClass::kGuest);
  const TypeDef* mutation = guest->schema.find_type("Mutation");
  ASSERT_NE(mutation, nullptr);
  EXPECT_TRUE(has_field(mutation, "insert_notes"));
  EXPECT_TRUE(has_field(mutation, "insert_notes_one"));
  EXPECT_TRUE(has_field(mutation, "delete_notes"));
  EXPECT_TRUE(has_field(mutation, "delete_notes_by_pk"));
  EXPECT_FALSE(has_field(mutation, "update_notes"));  // updateRule null
  EXPECT_FALSE(has_field(mutation, "update_notes_by_pk"));
  EXPECT_FALSE(has_field(mutation, "insert_locked"));  // every write rule null
  EXPECT_EQ(guest->mutations.at("delete_notes_by_pk").kind, MutationKind::kDeleteByPk);

  const auto superuser = service_->schema_for(CallerClass::kSuperuser);
  const TypeDef* all = superuser->schema.find_type("Mutation");
  EXPECT_TRUE(has_field(all, "update_notes"));
  EXPECT_TRUE(has_field(all, "insert_locked_one"));
  EXPECT_TRUE(has_field(all, "delete__superusers_by_pk"));
  EXPECT_FALSE(has_field(all, "insert_note_titles"));  // a view is never written

  // Autodates are not settable, an id only at creation, numbers alone in _inc.
  const TypeDef* insert = guest->schema.find_type("notes_insert_input");
  EXPECT_TRUE(has_field(insert, "id"));
  EXPECT_TRUE(has_field(insert, "title"));
  EXPECT_FALSE(has_field(insert, "created"));
  EXPECT_FALSE(has_field(guest->schema.find_type("notes_set_input"), "id"));
  const TypeDef* inc = guest->schema.find_type("notes_inc_input");
  ASSERT_NE(inc, nullptr);
  ASSERT_EQ(inc->input_fields.size(), 1u);
  EXPECT_EQ(inc->input_fields[0].name, "views");
  // An auth collection's password and REST's companions of it; never tokenKey.
  const TypeDef* users = superuser->schema.find_type("users_set_input");
  EXPECT_TRUE(has_field(users, "password"));
  EXPECT_TRUE(has_field(users, "passwordConfirm"));
  EXPECT_TRUE(has_field(users, "oldPassword"));
  EXPECT_FALSE(has_field(users, "tokenKey"));
}

TEST_F(GraphqlMutationTest, ALockedCollectionHasNoMutationFieldAndNothingRuns) {
  const json::value answer = run(R"(mutation { insert_locked_one(object: {code: "x"}) { id } })");
  EXPECT_FALSE(answer.as_object().contains("data"));
  EXPECT_EQ(answer.at("errors").at(0).at("extensions").at("code"), "validation-failed");
  EXPECT_EQ(json::serialize(run("{ locked { code } }", true).at("data")), R"({"locked":[]})");
}

TEST_F(GraphqlMutationTest, OneBatchPerRequestAndAFailingRootFieldWritesNothing) {
  const json::value answer = run(R"(mutation {
    a: insert_notes_one(object: {title: "kept?"}) { title }
    __typename
    b: insert_notes(objects: [{title: "fine"}, {title: ""}]) { affected_rows }
  })");
  EXPECT_EQ(json::serialize(answer.at("data")), R"({"a":null,"__typename":"Mutation","b":null})");
  const json::value& error = answer.at("errors").at(0);
  EXPECT_EQ(answer.at("errors").as_array().size(), 1u);
  EXPECT_EQ(json::serialize(error.at("path")), R"(["b"])");
  EXPECT_EQ(error.at("extensions").at("code"), "validation-failed");
  EXPECT_EQ(error.at("extensions").at("data").at("title").at("code"), "validation_required");
  EXPECT_EQ(titles(), "[]");

  const json::value written = run(R"(mutation {
    a: insert_notes_one(object: {title: "a", views: 1}) { title views }
    b: insert_notes(objects: [{title: "b"}, {title: "a"}]) { affected_rows returning { title } }
  })");
  EXPECT_EQ(json::serialize(written),
            R"({"data":{"a":{"title":"a","views":1},"b":{"affected_rows":2,)"
            R"("returning":[{"title":"b"},{"title":"a"}]}}})");
  EXPECT_EQ(titles(), R"([{"title":"a"},{"title":"a"},{"title":"b"}])");
}

TEST_F(GraphqlMutationTest, WhereSelectsOnlyWhatTheWriteRuleAdmitsInOneStatement) {
  run(R"(mutation { insert_notes(objects: [{title: "a"}, {title: "b"}, {title: "a"}]) {
    affected_rows } })");
  log_->reads.clear();
  // A guest's where matches every note; the deleteRule admits the two titled "a".
  const json::value answer =
      run("mutation { delete_notes(where: {}) { affected_rows returning { title } } }");
  EXPECT_EQ(json::serialize(answer), R"({"data":{"delete_notes":{"affected_rows":2,)"
                                     R"("returning":[{"title":"a"},{"title":"a"}]}}})");
  // One statement selects the records, one reads the answer (before they are gone).
  EXPECT_EQ(log_->reads.size(), 2u);
  EXPECT_EQ(titles(), R"([{"title":"b"}])");
}

TEST_F(GraphqlMutationTest, SetAndIncAreTheNumberModifierAndMayNotNameOneFieldTwice) {
  const json::value created =
      run(R"(mutation { insert_notes_one(object: {title: "n", views: 5}) { id } })", true);
  const std::string id(created.at("data").at("insert_notes_one").at("id").as_string());
  const json::value changed =
      run(R"(mutation { update_notes_by_pk(id: ")" + id +
              R"(", _set: {title: "m"}, _inc: {views: -7}) { title views } })",
          true);
  EXPECT_EQ(json::serialize(changed.at("data")),
            R"({"update_notes_by_pk":{"title":"m","views":-2}})");
  const json::value both = run(R"(mutation { update_notes_by_pk(id: ")" + id +
                                   R"(", _set: {views: 1}, _inc: {views: 1}) { views } })",
                               true);
  EXPECT_EQ(both.at("errors").at(0).at("extensions").at("code"), "validation-failed");
  EXPECT_EQ(json::serialize(run("{ notes { views } }", true).at("data")),
            R"({"notes":[{"views":-2}]})");
}

TEST_F(GraphqlMutationTest, AMissingRecordIsNotFoundAndNothingElseIsWritten) {
  const json::value answer = run(R"(mutation {
    insert_notes_one(object: {title: "x"}) { id }
    update_notes_by_pk(id: "nosuchrecord123", _set: {title: "y"}) { id }
  })",
                                 true);
  EXPECT_EQ(answer.at("errors").at(0).at("extensions").at("code"), "not-found");
  EXPECT_EQ(json::serialize(answer.at("errors").at(0).at("path")), R"(["update_notes_by_pk"])");
  EXPECT_EQ(titles(), "[]");
}

TEST_F(GraphqlMutationTest, ARecordTheCallerMayNotViewIsWrittenButNotReadBack) {
  // Guests may drop messages into the inbox (createRule "") but neither list nor view them.
  const auto guest = service_->schema_for(CallerClass::kGuest);
  EXPECT_TRUE(has_field(guest->schema.find_type("Mutation"), "insert_inbox_one"));
  EXPECT_FALSE(has_field(guest->schema.find_type("Query"), "inbox"));
  const json::value answer = run(R"(mutation {
    one: insert_inbox_one(object: {msg: "hi"}) { id msg }
    many: insert_inbox(objects: [{msg: "a"}]) { affected_rows returning { msg } }
  })");
  EXPECT_EQ(json::serialize(answer),
            R"({"data":{"one":null,"many":{"affected_rows":1,"returning":[]}}})");
  EXPECT_EQ(json::serialize(run("{ inbox_aggregate { aggregate { count } } }", true).at("data")),
            R"({"inbox_aggregate":{"aggregate":{"count":2}}})");
}

TEST_F(GraphqlMutationTest, NestedInsertsCreateRelatedRecordsFirstInTheSameBatch) {
  sync_wait(collections_->create(json::parse(
      R"js({"name": "labels", "listRule": "", "viewRule": "name != 'hidden'", "createRule": "",
      "fields": [{"name": "name", "type": "text", "required": true}]})js")));
  const std::string labels = collections_->catalog()->find("labels")->id;
  const std::string locked = collections_->catalog()->find("locked")->id;
  sync_wait(collections_->create(json::parse(
      R"js({"name": "cards", "listRule": "", "viewRule": "", "createRule": "",
      "fields": [{"name": "title", "type": "text"},
                 {"name": "labels", "type": "relation", "maxSelect": 5, "collectionId": ")js" +
      labels + R"js("}, {"name": "box", "type": "relation", "maxSelect": 1, "collectionId": ")js" +
      locked + R"js("}]})js")));
  // Guests may create labels (data) but not records of `locked` (id only).
  const auto guest = service_->schema_for(CallerClass::kGuest);
  EXPECT_TRUE(has_field(guest->schema.find_type("labels_arr_rel_insert_input"), "data"));
  EXPECT_TRUE(has_field(guest->schema.find_type("labels_arr_rel_insert_input"), "ids"));
  EXPECT_TRUE(has_field(guest->schema.find_type("locked_obj_rel_insert_input"), "id"));
  EXPECT_FALSE(has_field(guest->schema.find_type("locked_obj_rel_insert_input"), "data"));
  // In `_set`: relinking always; nested `_set`/`_inc` only where the target may be updated
  // (labels' and locked's updateRule are null for guests).
  EXPECT_EQ(view(guest->schema.find_type("cards_set_input")->input_fields[1].type).named->name,
            "labels_arr_rel_update_input");
  EXPECT_TRUE(has_field(guest->schema.find_type("labels_arr_rel_update_input"), "ids"));
  EXPECT_FALSE(has_field(guest->schema.find_type("labels_arr_rel_update_input"), "_set"));
  const auto superuser = service_->schema_for(CallerClass::kSuperuser);
  EXPECT_TRUE(has_field(superuser->schema.find_type("labels_arr_rel_update_input"), "_set"));
  EXPECT_FALSE(has_field(superuser->schema.find_type("labels_arr_rel_update_input"), "_inc"));

  log_->reads.clear();
  const json::value answer = run(R"(mutation {
    insert_cards(objects: [{title: "c", labels: {data: [{name: "x"}, {name: "hidden"}, {name: "y"}]}}]) {
      affected_rows returning { title labels { name } }
    }
  })");
  // Three labels and the card; the answer is the card alone, read back in one statement, its
  // labels under their view rule.
  EXPECT_EQ(json::serialize(answer),
            R"({"data":{"insert_cards":{"affected_rows":4,)"
            R"("returning":[{"title":"c","labels":[{"name":"x"},{"name":"y"}]}]}}})");
  ASSERT_EQ(log_->reads.size(), 1u);
  EXPECT_TRUE(log_->reads.front().starts_with("WITH "));  // the labels' view rule, as a query's

  const json::value failed = run(R"(mutation {
    insert_cards_one(object: {title: "d", labels: {data: [{name: "z"}, {name: ""}]}}) { id }
  })");
  EXPECT_EQ(failed.at("errors").at(0).at("extensions").at("data").at("name").at("code"),
            "validation_required");
  EXPECT_EQ(json::serialize(run("{ labels(order_by: [{name: asc}]) { name } }", true).at("data")),
            R"({"labels":[{"name":"hidden"},{"name":"x"},{"name":"y"}]})");
}

TEST_F(GraphqlMutationTest, ARequestWritesAtMostAThousandRecords) {
  std::string objects;
  for (int i = 0; i < 600; ++i) objects += R"({title: "n"},)";
  const json::value answer =
      run("mutation { a: insert_notes(objects: [" + objects +
          "]) { affected_rows } b: insert_notes(objects: [" + objects + "]) { affected_rows } }");
  EXPECT_EQ(json::serialize(answer.at("data")), R"({"a":null,"b":null})");
  EXPECT_EQ(json::serialize(answer.at("errors").at(0).at("path")), R"(["b"])");
  EXPECT_EQ(answer.at("errors").at(0).at("extensions").at("code"), "limit-exceeded");
  EXPECT_EQ(titles(), "[]");
}

TEST_F(GraphqlMutationTest, ACollectionNamedLikeASingleInsertDoesNotBreakTheSchema) {
  // `insert_notes_one` is the single insert of notes and the insert of notes_one: the collection
  // created first keeps the name.
  sync_wait(collections_->create(json::parse(
      R"js({"name": "notes_one", "createRule": "", "fields": [{"name": "t", "type": "text"}]})js")));
  const auto guest = service_->schema_for(CallerClass::kGuest);
  const MutationBinding& binding = guest->mutations.at("insert_notes_one");
  EXPECT_EQ(binding.collection->name, "notes");
  EXPECT_EQ(binding.kind, MutationKind::kInsertOne);
  EXPECT_TRUE(has_field(guest->schema.find_type("Mutation"), "insert_notes_one_one"));
}

}  // namespace
}  // namespace basalt::graphql
