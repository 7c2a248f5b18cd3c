// The record service against a real SQLite database: rules and their statuses, validation
// with relation lookups, the create rule seeing the inserted row, unique violations, expand,
// cascades, truncate and the events published after commit.
#include "basalt/records/record_service.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "basalt/collections/collection_service.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/core/clock.hpp"
#include "basalt/db/migrations.hpp"
#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/db/testing/statement_log.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/db/testing/temp_dir.hpp"
#include "basalt/records/record_response_json.hpp"

namespace basalt::records {
namespace {

namespace json = boost::json;
using db::testing::sync_wait;

// The instant the tests' ManualClock stands at, and its PocketBase datetime text.
constexpr std::chrono::system_clock::time_point kStart{
    std::chrono::sys_days{std::chrono::year{2024} / 5 / 6} + std::chrono::hours(7) +
    std::chrono::minutes(8) + std::chrono::seconds(9) + std::chrono::milliseconds(123)};
constexpr std::string_view kStartText = "2024-05-06 07:08:09.123Z";

// Hashing belongs to the auth module (argon2id, covered by its own tests and the e2e suite);
// here a reversible stand-in keeps the service's password hand-off observable.
// It counts its calls, so tests can see which requests got to spend hashing.
class PlainPasswords final : public PasswordPort {
 public:
  boost::asio::awaitable<std::string> hash(std::string plain, std::string_view) const override {
    ++calls;
    if (on_hash) on_hash();
    co_return "hashed:" + plain;
  }
  boost::asio::awaitable<bool> verify(std::string plain, std::string stored,
                                      std::string_view) const override {
    ++calls;
    co_return stored == "hashed:" + plain;
  }
  mutable int calls = 0;
  std::function<void()> on_hash;  // e.g. moves the test's clock, as slow hashing would
};

class RecordServiceTest : public ::testing::Test {
 protected:
  RecordServiceTest() {
    db::SqliteOptions options;
    options.data_dir = dir_.path();
    options.statement_timeout = std::chrono::seconds(5);
    database_ = db::open_sqlite(options);
    migrations_ = collections::system_migrations(database_->dialect(), clock_);
    sync_wait(db::apply_migrations(*database_, migrations_));
    collections_ = std::make_unique<collections::CollectionService>(*database_, clock_);
    sync_wait(collections_->reload());
    log_ = std::make_unique<db::testing::StatementLog>(*database_);
    service_ =
        std::make_unique<RecordService>(*log_, *collections_, plans_, passwords_, events_, clock_);
    events_.subscribe([this](const RecordEvent& event) {
      seen_.push_back(std::string(record_action_name(event.action)) + " " + event.collection_name +
                      " " + std::string(event.record.at("id").as_string()));
    });
    superuser_record_ = {{"id", "su0000000000001"}};
  }

  void collection(std::string_view definition) {
    sync_wait(collections_->create(json::parse(definition)));
  }

  Caller superuser() {
    catalog_ = collections_->catalog();
    return Caller{catalog_->find("_superusers"), &superuser_record_};
  }
  Caller user(const json::object& record) {
    catalog_ = collections_->catalog();
    return Caller{catalog_->find("users"), &record};
  }

  json::object create(const Caller& caller, std::string_view collection, std::string_view body) {
    WriteInput input;
    input.body = json::parse(body).as_object();
    return sync_wait(service_->create(caller, collection, std::move(input), {})).record.values;
  }
  json::object make_user(std::string_view email) {
    return create(superuser(), "users",
                  R"js({"email":")js" + std::string(email) +
                      R"js(","password":"secret123","passwordConfirm":"secret123"})js");
  }
  std::vector<std::string> list_ids(const Caller& caller, std::string_view collection,
                                    std::string filter = {}) {
    ListOptions options;
    options.filter = std::move(filter);
    RecordPage page = sync_wait(service_->list(caller, collection, options, {}));
    std::vector<std::string> ids;
    for (const auto& item : page.items) ids.emplace_back(item.values.at("id").as_string());
    return ids;
  }
  std::int64_t count(std::string_view table) {
    return sync_wait(database_->query("SELECT COUNT(*) FROM " + std::string(table)))[0].as_int(0);
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

  core::ManualClock clock_{kStart};  // outlives the services below
  db::testing::TempDir dir_;
  std::unique_ptr<db::Database> database_;
  std::unique_ptr<db::testing::StatementLog> log_;  // counts the write jobs
  std::vector<db::Migration> migrations_;
  std::unique_ptr<collections::CollectionService> collections_;
  query::PlanCache plans_;
  PlainPasswords passwords_;
  EventBus events_;
  std::unique_ptr<RecordService> service_;
  std::shared_ptr<const collections::Catalog> catalog_;
  json::object superuser_record_;
  std::vector<std::string> seen_;
};

constexpr std::string_view kOwnedPosts = R"js({
  "name": "posts", "type": "base",
  "listRule": "author = @request.auth.id", "viewRule": "author = @request.auth.id",
  "createRule": "@request.auth.id != '' && author = @request.auth.id",
  "updateRule": "author = @request.auth.id", "deleteRule": "author = @request.auth.id",
  "fields": [{"name": "title", "type": "text"}, {"name": "views", "type": "number"},
             {"name": "author", "type": "relation", "collectionId": "_pb_users_auth_",
              "maxSelect": 1, "cascadeDelete": true}]})js";

TEST_F(RecordServiceTest, OwnerRulesHideOtherUsersRecordsWithTheContractStatuses) {
  collection(kOwnedPosts);
  const json::object ann = make_user("ann@x.io");
  const json::object bob = make_user("bob@x.io");
  const std::string ann_id(ann.at("id").as_string());
  const json::object post =
      create(user(ann), "posts", R"js({"title":"a","author":")js" + ann_id + R"js("})js");
  const std::string post_id(post.at("id").as_string());

  EXPECT_EQ(list_ids(user(ann), "posts"), std::vector<std::string>{post_id});
  EXPECT_TRUE(list_ids(user(bob), "posts").empty());  // unmet list rule: 200, no items
  EXPECT_TRUE(list_ids(Caller{}, "posts").empty());
  EXPECT_EQ(list_ids(superuser(), "posts").size(), 1u);  // superusers bypass

  EXPECT_EQ(
      error_of([&] { sync_wait(service_->view(user(bob), "posts", post_id, "", {})); }).status(),
      404);
  EXPECT_EQ(error_of([&] {
              WriteInput input;
              input.body = {{"title", "stolen"}};
              sync_wait(service_->update(user(bob), "posts", post_id, std::move(input), {}));
            }).status(),
            404);
  EXPECT_EQ(
      error_of([&] { sync_wait(service_->remove(user(bob), "posts", post_id, {})); }).status(),
      404);
  // Bob may not create a post in Ann's name: the create rule sees the inserted row.
  const core::ApiError refused = error_of(
      [&] { create(user(bob), "posts", R"js({"title":"x","author":")js" + ann_id + R"js("})js"); });
  EXPECT_EQ(refused.status(), 400);
  EXPECT_EQ(refused.message(), "Failed to create record.");
  EXPECT_EQ(count("posts"), 1);

  WriteInput increment;
  increment.body = {{"views+", 2}};
  auto updated = sync_wait(service_->update(user(ann), "posts", post_id, std::move(increment), {}));
  EXPECT_EQ(updated.record.values.at("views").as_double(), 2.0);
}

TEST_F(RecordServiceTest, AutodateFieldsAndAtNowReadTheServiceClock) {
  const json::object user = make_user("clock@example.com");
  const std::string id(user.at("id").as_string());
  EXPECT_EQ(user.at("created").as_string(), kStartText);
  EXPECT_EQ(user.at("updated").as_string(), kStartText);
  EXPECT_EQ(list_ids(superuser(), "users", "created = @now"), std::vector<std::string>{id});

  clock_.advance(std::chrono::hours(1));
  WriteInput input;
  input.body = json::parse(R"({"emailVisibility":true})").as_object();
  const json::object updated =
      sync_wait(service_->update(superuser(), "users", id, std::move(input), {})).record.values;
  EXPECT_EQ(updated.at("created").as_string(), kStartText);
  EXPECT_EQ(updated.at("updated").as_string(), "2024-05-06 08:08:09.123Z");
  EXPECT_TRUE(list_ids(superuser(), "users", "created = @now").empty());
  EXPECT_EQ(list_ids(superuser(), "users", "updated = @now"), std::vector<std::string>{id});
}

TEST_F(RecordServiceTest, RealtimeChecksReadTheServiceClock) {
  const json::object user = make_user("live@example.com");
  RecordEvent event;
  event.collection_id = "users";
  event.collection_name = "users";
  event.record = user;
  auto delivered = [&] {
    return sync_wait(service_->realtime_record(superuser(), event, false, "created = @now", "",
                                               query::RequestInfo{}))
        .has_value();
  };
  EXPECT_TRUE(delivered());  // the record was created at the clock's instant
  clock_.advance(std::chrono::hours(1));
  EXPECT_FALSE(delivered());
}

TEST_F(RecordServiceTest, ABatchPastItsTimeoutOnTheServiceClockFailsAndStoresNothing) {
  // Hashing the password (before the write job) takes a minute on the service's clock.
  passwords_.on_hash = [this] { clock_.advance(std::chrono::minutes(1)); };
  std::vector<BatchOperation> operations(1);
  operations[0].kind = WriteKind::kCreate;
  operations[0].collection = "users";
  operations[0].input.body =
      json::parse(
          R"({"email":"late@example.com","password":"secret123","passwordConfirm":"secret123"})")
          .as_object();
  try {
    sync_wait(service_->batch(superuser(), std::move(operations), std::chrono::seconds(30)));
    ADD_FAILURE() << "expected a BatchError";
  } catch (const BatchError& error) {
    EXPECT_EQ(error.index(), 0u);
    EXPECT_EQ(error.error().message(), "Batch transaction timeout.");
  }
  EXPECT_EQ(count("users"), 0);
}

// A service flow's batch (OAuth2 sign-in): a guest's create under the createRule, with a
// system value the guest could not set, and a superuser's own write beside it, in one
// transaction - the superuser's write failing takes the guest's create with it.
TEST_F(RecordServiceTest, ABatchMixesCallersPerOperationAndSystemValues) {
  collection(R"js({"name":"notes","type":"base","fields":[{"name":"v","type":"text"}],
    "indexes":["CREATE UNIQUE INDEX idx_notes_v ON notes (v)"]})js");
  create(superuser(), "notes", R"js({"v":"taken"})js");
  const Caller admin = superuser();
  auto batch_of = [&](std::string email, std::string note) {
    std::vector<BatchOperation> operations(2);
    operations[0].kind = WriteKind::kCreate;
    operations[0].collection = "users";  // createRule "": guests may create
    operations[0].input.body = {
        {"email", email}, {"password", "secret123"}, {"passwordConfirm", "secret123"}};
    operations[0].input.system_values = {{"verified", true}};
    operations[1].kind = WriteKind::kCreate;
    operations[1].collection = "notes";  // locked rules: only the superuser may write
    operations[1].input.body = {{"v", note}};
    operations[1].caller = &admin;
    return operations;
  };
  auto done =
      sync_wait(service_->batch(Caller{}, batch_of("new@x.io", "fresh"), std::chrono::seconds(30)));
  EXPECT_EQ(done[0].result.record.values.at("verified"), json::value(true));
  EXPECT_EQ(count("users"), 1);
  EXPECT_EQ(count("notes"), 2);
  try {
    sync_wait(service_->batch(Caller{}, batch_of("other@x.io", "taken"), std::chrono::seconds(30)));
    ADD_FAILURE() << "expected a BatchError";
  } catch (const BatchError& error) {
    EXPECT_EQ(error.index(), 1u);  // the unique index refused the superuser's write
  }
  EXPECT_EQ(count("users"), 1);  // and the guest's create went with it
  // Without the override the guest's own second write is refused by the locked rule.
  auto guest_only = batch_of("third@x.io", "third");
  guest_only[1].caller = nullptr;
  EXPECT_THROW(
      sync_wait(service_->batch(Caller{}, std::move(guest_only), std::chrono::seconds(30))),
      BatchError);
  EXPECT_EQ(count("users"), 1);
}

TEST_F(RecordServiceTest, LockedRulesAreForSuperusersOnly) {
  collection(R"js({"name":"secrets","type":"base","fields":[{"name":"v","type":"text"}]})js");
  const json::object ann = make_user("ann@x.io");
  EXPECT_EQ(error_of([&] { list_ids(user(ann), "secrets"); }).status(), 403);
  EXPECT_EQ(error_of([&] { create(Caller{}, "secrets", R"js({"v":"x"})js"); }).status(), 403);
  create(superuser(), "secrets", R"js({"v":"x"})js");
  EXPECT_EQ(count("secrets"), 1);
  EXPECT_EQ(error_of([&] { list_ids(user(ann), "missing"); }).message(),
            "Missing collection context.");
}

TEST_F(RecordServiceTest, NonSuperusersFiltersOverTheCostLimitAreRefusedBeforeRunning) {
  collection(R"js({"name":"items","type":"base","listRule":"","fields":[
    {"name":"others","type":"relation","collectionId":"_pb_users_auth_","maxSelect":999}]})js");
  const json::object ann = make_user("ann@x.io");
  // 999 * 100 (back-relation) * 999 rows per item: refused for guests and users.
  const std::string heavy = "others.items_via_others.others.name ?= 'x'";
  for (const Caller& caller : {Caller{}, user(ann)}) {
    core::ApiError error = error_of([&] { list_ids(caller, "items", heavy); });
    EXPECT_EQ(error.status(), 400);
    EXPECT_NE(error.message().find("too expensive"), std::string::npos) << error.message();
  }
  EXPECT_TRUE(list_ids(superuser(), "items", heavy).empty());
  // One all-of hop of 999 (PocketBase's default for a multiple relation) is fine.
  EXPECT_TRUE(list_ids(Caller{}, "items", "others.name = 'x'").empty());
}

TEST_F(RecordServiceTest, AFilterErrorSaysWhereItIs) {
  collection(R"js({"name":"items","type":"base","listRule":"","fields":[
    {"name":"title","type":"text"},{"name":"note","type":"text","hidden":true}]})js");
  auto data = [&](const Caller& caller, std::string filter, std::string sort = {}) {
    core::ApiError error = error_of([&] {
      ListOptions options;
      options.filter = std::move(filter);
      options.sort = std::move(sort);
      (void)sync_wait(service_->list(caller, "items", options, {}));
    });
    EXPECT_EQ(error.status(), 400);
    EXPECT_EQ(error.message(), "Something went wrong while processing your request.");
    return error.data();
  };
  // A syntax error: its place, for everyone (it depends on the text alone).
  for (const Caller& caller : {Caller{}, superuser()}) {
    const json::object bad = data(caller, "title = 'a' && = 2");
    ASSERT_TRUE(bad.contains("filter")) << json::serialize(bad);
    EXPECT_EQ(bad.at("filter").at("code").as_string(), "unexpected_token");
    EXPECT_EQ(bad.at("filter").at("position").as_int64(), 15);
    EXPECT_FALSE(bad.at("filter").at("message").as_string().empty());
  }
  EXPECT_EQ(data(Caller{}, "title = 'unterminated").at("filter").at("position").as_int64(), 8);
  // A field that does not resolve: the operand's range for a superuser; nothing for others, so
  // a hidden field cannot be told from a missing one.
  const json::object unknown = data(superuser(), "title = 'a' || nosuch = 1");
  EXPECT_EQ(unknown.at("filter").at("code").as_string(), "unknown_field");
  EXPECT_EQ(unknown.at("filter").at("position").as_int64(), 15);
  EXPECT_EQ(unknown.at("filter").at("length").as_int64(), 6);
  EXPECT_TRUE(data(Caller{}, "nosuch = 1").empty());
  EXPECT_TRUE(data(Caller{}, "note = 1").empty());
  // A sort is reported under its own key.
  EXPECT_EQ(data(superuser(), "", "title,-nosuch").at("sort").at("code").as_string(),
            "unknown_field");
}

TEST_F(RecordServiceTest, RealtimeOptionsAreRefusedAsAListRefusesThem) {
  collection(R"js({"name":"items","type":"base","listRule":"","fields":[
    {"name":"others","type":"relation","collectionId":"_pb_users_auth_","maxSelect":999}]})js");
  const std::string heavy = "others.items_via_others.others.name ?= 'x'";
  auto status = [&](const Caller& caller, std::string_view collection, std::string_view filter,
                    std::string_view expand = "") {
    return error_of([&] { service_->check_realtime_options(caller, collection, filter, expand); })
        .status();
  };
  EXPECT_EQ(status(Caller{}, "items", heavy), 400);
  EXPECT_EQ(status(Caller{}, "items", "@request.auth.id = ''"), 403);
  EXPECT_EQ(status(Caller{}, "items", "nosuchfield = 1"), 400);
  EXPECT_EQ(status(Caller{}, "items", "", std::string(kMaxExpandLength + 1, 'a')), 400);
  // Superusers, plain filters, and collections that do not exist (the subscription then
  // matches nothing) pass.
  EXPECT_NO_THROW(service_->check_realtime_options(superuser(), "items", heavy, ""));
  EXPECT_NO_THROW(service_->check_realtime_options(Caller{}, "items", "others.name = 'x'", ""));
  EXPECT_EQ(
      service_->check_realtime_options(Caller{}, "nosuchcollection", "@request.auth.id = ''", "")
          .first,
      "");
  EXPECT_NE(service_->check_realtime_options(Caller{}, "items", "", "").second, "");
}

TEST_F(RecordServiceTest, ValidationReportsMissingRelationsAndUniqueViolations) {
  collection(R"js({"name":"tags","type":"base","listRule":"","viewRule":"","createRule":"",
    "fields":[{"name":"slug","type":"text"},
              {"name":"owner","type":"relation","collectionId":"_pb_users_auth_","maxSelect":1}],
    "indexes":["CREATE UNIQUE INDEX idx_slug ON tags (slug)"]})js");
  const core::ApiError missing =
      error_of([&] { create(Caller{}, "tags", R"js({"slug":"a","owner":"nosuchuser00001"})js"); });
  EXPECT_EQ(missing.data().at("owner").at("code"), "validation_missing_rel_records");
  create(Caller{}, "tags", R"js({"slug":"a"})js");
  const core::ApiError duplicate =
      error_of([&] { create(Caller{}, "tags", R"js({"slug":"a"})js"); });
  EXPECT_EQ(duplicate.status(), 400);
  EXPECT_EQ(duplicate.data().at("slug").at("code"), "validation_not_unique");
  EXPECT_EQ(count("tags"), 1);
}

TEST_F(RecordServiceTest, ExistenceChecksConfirmedInTheJobAndTheirFailuresReported) {
  // A create's job confirms what prepare() assumed (related records exist, a chosen id is free)
  // with statements prepare() built; any other answer comes back as the validation error.
  collection(R"js({"name":"tags","type":"base","createRule":"",
    "fields":[{"name":"owners","type":"relation","collectionId":"_pb_users_auth_",
               "maxSelect":5}]})js");
  const std::string ann(make_user("ann@x.io").at("id").as_string());
  const std::string bob(make_user("bob@x.io").at("id").as_string());
  const std::string body =
      R"js({"id":"chosenid0000001","owners":[")js" + ann + R"js(",")js" + bob + R"js("]})js";
  const json::object made = create(Caller{}, "tags", body);
  EXPECT_EQ(made.at("id"), "chosenid0000001");
  const core::ApiError taken =
      error_of([&] { create(Caller{}, "tags", R"js({"id":"chosenid0000001"})js"); });
  EXPECT_EQ(taken.status(), 400);
  EXPECT_EQ(taken.data().at("id").at("code"), "validation_not_unique");
  const core::ApiError one_missing = error_of([&] {
    create(Caller{}, "tags", R"js({"owners":[")js" + ann + R"js(","nosuchuser00001"]})js");
  });
  EXPECT_EQ(one_missing.data().at("owners").at("code"), "validation_missing_rel_records");
  EXPECT_EQ(count("tags"), 1);
}

TEST_F(RecordServiceTest, ABatchGivesItsThreadBackWhilePreparing) {
  // One thread runs a batch of many creates and, queued behind it, a single create: the single
  // one gets its turn while the batch still prepares, so its write reaches the writer first
  // and its row comes before the batch's.
  collection(R"js({"name":"items","type":"base","createRule":"",
    "fields":[{"name":"v","type":"text"}]})js");
  std::vector<BatchOperation> operations(4 * RecordService::kOperationsPerTurn);
  for (auto& op : operations) {
    op.collection = "items";
    op.input.body = json::parse(R"js({"v":"batch"})js").as_object();
  }
  const Caller guest;  // outlives the coroutines, which hold it by reference
  boost::asio::io_context context;
  auto batch = boost::asio::co_spawn(
      context, service_->batch(guest, std::move(operations), std::chrono::seconds(30)),
      boost::asio::use_future);
  WriteInput single;
  single.body = json::parse(R"js({"v":"single"})js").as_object();
  auto one = boost::asio::co_spawn(context, service_->create(guest, "items", std::move(single), {}),
                                   boost::asio::use_future);
  context.run();
  EXPECT_EQ(batch.get().size(), 4 * RecordService::kOperationsPerTurn);
  one.get();
  db::ResultSet first =
      sync_wait(database_->query("SELECT v FROM items ORDER BY rowid LIMIT 1", db::Params{}));
  EXPECT_EQ(first[0].as_text(0), "single");
}

TEST_F(RecordServiceTest, PasswordsAreHashedBeforeTheJobAndOldPasswordIsChecked) {
  const json::object ann = make_user("ann@x.io");
  EXPECT_EQ(ann.at("password"), "hashed:secret123");
  const std::string id(ann.at("id").as_string());
  WriteInput wrong;
  wrong.body =
      json::parse(
          R"js({"password":"newsecret1","passwordConfirm":"newsecret1","oldPassword":"bad"})js")
          .as_object();
  const core::ApiError error =
      error_of([&] { sync_wait(service_->update(user(ann), "users", id, std::move(wrong), {})); });
  EXPECT_EQ(error.data().at("oldPassword").at("code"), "validation_invalid_old_password");
  WriteInput right;
  right.body = json::parse(
                   R"js({"password":"newsecret1","passwordConfirm":"newsecret1",
                       "oldPassword":"secret123"})js")
                   .as_object();
  auto changed = sync_wait(service_->update(user(ann), "users", id, std::move(right), {}));
  EXPECT_EQ(changed.record.values.at("password"), "hashed:newsecret1");
  EXPECT_NE(changed.record.values.at("tokenKey"), ann.at("tokenKey"));  // tokens invalidated
}

TEST_F(RecordServiceTest, ExpandFollowsRelationsAndBackRelationsUnderViewRules) {
  collection(
      R"js({"name":"orgs","type":"base","viewRule":null,"fields":[{"name":"n","type":"text"}]})js");
  collection(R"js({"name":"authors","type":"base","listRule":"","viewRule":"",
    "fields":[{"name":"name","type":"text"},
              {"name":"org","type":"relation","collectionId":")js" +
             std::string(collections_->catalog()->find("orgs")->id) + R"js(","maxSelect":1}]})js");
  const std::string authors_id = collections_->catalog()->find("authors")->id;
  collection(R"js({"name":"books","type":"base","listRule":"","viewRule":"",
    "fields":[{"name":"title","type":"text"},
              {"name":"writers","type":"relation","collectionId":")js" +
             authors_id + R"js(","maxSelect":5}]})js");
  const json::object org = create(superuser(), "orgs", R"js({"n":"acme"})js");
  const json::object author =
      create(superuser(), "authors",
             R"js({"name":"ann","org":")js" + std::string(org.at("id").as_string()) + R"js("})js");
  const std::string author_id(author.at("id").as_string());
  create(superuser(), "books", R"js({"title":"b1","writers":[")js" + author_id + R"js("]})js");
  create(superuser(), "books", R"js({"title":"b2","writers":[")js" + author_id + R"js("]})js");

  ListOptions options;
  options.expand = "writers.org, books_via_writers";
  RecordPage page = sync_wait(service_->list(Caller{}, "books", options, {}));
  ASSERT_EQ(page.items.size(), 2u);
  std::string out;
  write_record(out, page.items[0], false);
  const json::value book = json::parse(out);
  const json::value& writers = book.at("expand").at("writers");
  ASSERT_TRUE(writers.is_array());
  EXPECT_EQ(writers.as_array()[0].at("name"), "ann");
  // orgs has a null viewRule: a guest gets the author without its org.
  EXPECT_FALSE(writers.as_array()[0].as_object().contains("expand"));

  RecordResult viewed =
      sync_wait(service_->view(superuser(), "authors", author_id, "books_via_writers,org", {}));
  out.clear();
  write_record(out, viewed.record, true);
  const json::value seen = json::parse(out);
  EXPECT_EQ(seen.at("expand").at("books_via_writers").as_array().size(), 2u);
  EXPECT_EQ(seen.at("expand").at("org").at("n"), "acme");  // single relation: an object
}

TEST_F(RecordServiceTest, DeleteCascadesClearsOptionalReferencesAndGuardsRequiredOnes) {
  collection(kOwnedPosts);
  collection(R"js({"name":"notes","type":"base","deleteRule":"",
    "fields":[{"name":"about","type":"relation","collectionId":"_pb_users_auth_","maxSelect":3},
              {"name":"keeper","type":"relation","collectionId":"_pb_users_auth_","maxSelect":1,
               "required":true}]})js");
  const json::object ann = make_user("ann@x.io");
  const json::object bob = make_user("bob@x.io");
  const std::string ann_id(ann.at("id").as_string());
  const std::string bob_id(bob.at("id").as_string());
  create(user(ann), "posts", R"js({"title":"p","author":")js" + ann_id + R"js("})js");
  const json::object note = create(superuser(), "notes",
                                   R"js({"about":[")js" + ann_id + R"js(",")js" + bob_id +
                                       R"js("],"keeper":")js" + bob_id + R"js("})js");

  // Bob is the required keeper of a note: his delete is refused and changes nothing.
  const core::ApiError blocked =
      error_of([&] { sync_wait(service_->remove(superuser(), "users", bob_id, {})); });
  EXPECT_EQ(blocked.message(),
            "Failed to delete record. Make sure that the record is not part of a required "
            "relation reference.");
  EXPECT_EQ(count("users"), 2);

  seen_.clear();
  sync_wait(service_->remove(superuser(), "users", ann_id, {}));
  EXPECT_EQ(count("posts"), 0);  // cascadeDelete
  auto rows = sync_wait(database_->query("SELECT about FROM notes"));
  EXPECT_EQ(rows[0].as_text(0), "[\"" + bob_id + "\"]");  // optional reference cleared
  ASSERT_EQ(seen_.size(), 3u);  // published after the commit, one per changed record
  EXPECT_EQ(seen_[0].substr(0, 12), "delete posts");
  EXPECT_EQ(seen_[1], "update notes " + std::string(note.at("id").as_string()));
  EXPECT_EQ(seen_[2], "delete users " + ann_id);
}

TEST_F(RecordServiceTest, TruncateDeletesEveryRecordWithCascades) {
  collection(kOwnedPosts);
  const json::object ann = make_user("ann@x.io");
  create(user(ann), "posts",
         R"js({"title":"p","author":")js" + std::string(ann.at("id").as_string()) + R"js("})js");
  EXPECT_EQ(error_of([&] { sync_wait(service_->truncate(user(ann), "users")); }).status(), 403);
  sync_wait(service_->truncate(superuser(), "users"));
  EXPECT_EQ(count("users"), 0);
  EXPECT_EQ(count("posts"), 0);
}

TEST_F(RecordServiceTest, CreatesRunTheSameStatementTextsInTheWriterWhateverTheBody) {
  // The writer's statement cache keys on text: a create's rule check, existence checks and
  // insert must read the same for every request of the same shape, whatever values it binds.
  collection(R"js({"name":"notes","type":"base",
    "createRule":"@request.auth.id != '' && author = @request.auth.id && (@request.body.tags:length > 0 || @request.body.title != 'x')",
    "fields":[{"name":"title","type":"text"},
              {"name":"tags","type":"select","values":["a","b","c"],"maxSelect":3},
              {"name":"author","type":"relation","collectionId":"_pb_users_auth_","maxSelect":1}]})js");
  const json::object ann = make_user("ann@x.io");
  const std::string id(ann.at("id").as_string());
  create(user(ann), "notes", R"js({"title":"one","tags":["a"],"author":")js" + id + "\"}");
  const std::vector<std::string> first = log_->statements;
  const json::object note =
      create(user(ann), "notes",
             R"js({"title":"a longer title","tags":["b","a","c"],"author":")js" + id + "\"}");
  EXPECT_EQ(log_->statements, first);
  // Statements only: the rule check, the relation, the id, the insert.
  ASSERT_EQ(first.size(), 4u);
  EXPECT_EQ(count("notes"), 2);
  // The rule checked the record that was stored: the same id (made once, before the job).
  const db::Value stored_id{std::string(note.at("id").as_string())};
  const db::Params& rule_params = log_->params.front();
  EXPECT_NE(std::find(rule_params.begin(), rule_params.end(), stored_id), rule_params.end());
}

}  // namespace
}  // namespace basalt::records

namespace basalt::records {
namespace {

TEST_F(RecordServiceTest, AHugeRelationListIsRefusedBeforeAnyWriteJob) {
  collection(R"js({"name":"picks","type":"base","fields":[
    {"name":"users","type":"relation","collectionId":"_pb_users_auth_","maxSelect":5}]})js");
  json::array ids;
  for (int i = 0; i < 200000; ++i) ids.emplace_back(fmt::format("u{:014d}", i));
  WriteInput input;
  input.body = {{"users", std::move(ids)}};
  const int writes_before = log_->writes;
  const core::ApiError refused =
      error_of([&] { sync_wait(service_->create(superuser(), "picks", std::move(input), {})); });
  EXPECT_EQ(refused.status(), 400);
  EXPECT_EQ(refused.message(), "Failed to create record.");
  EXPECT_EQ(refused.data().at("users").at("code"), "validation_too_many_values");
  EXPECT_EQ(log_->writes, writes_before);  // refused in prepare(): the writer never saw it
  EXPECT_EQ(count("picks"), 0);
}

TEST_F(RecordServiceTest, AnInvalidCreateSpendsNoHashing) {
  const int writes_before = log_->writes;
  const core::ApiError refused = error_of([&] {
    create(Caller{}, "users",
           R"js({"email":"not-an-email","password":"secret123","passwordConfirm":"secret123"})js");
  });
  EXPECT_EQ(refused.status(), 400);
  EXPECT_TRUE(refused.data().contains("email"));
  EXPECT_EQ(passwords_.calls, 0);
  EXPECT_EQ(log_->writes, writes_before);
  make_user("valid@x.io");
  EXPECT_EQ(passwords_.calls, 1);
}

}  // namespace
}  // namespace basalt::records

namespace basalt::records {
namespace {

// The rehash after a sign-in (auth/password_sign_in.cpp) is a write of the record service like
// any other: one write job, one update event, and never over a password changed meanwhile.
TEST_F(RecordServiceTest, ReplacingAPasswordHashIsAWriteJobWithAnUpdateEvent) {
  const json::object ann = make_user("ann@x.io");
  const std::string id(ann.at("id").as_string());
  const std::string token_key(ann.at("tokenKey").as_string());
  superuser();  // refreshes catalog_
  const schema::Collection& users = *catalog_->find("users");
  auto stored = [&] {
    return std::string(sync_wait(database_->query("SELECT password FROM users"))[0].as_text(0));
  };
  ASSERT_EQ(stored(), "hashed:secret123");
  seen_.clear();
  const int writes = log_->writes;

  EXPECT_TRUE(sync_wait(service_->replace_password_hash(users, id, "hashed:secret123", "new")));
  EXPECT_EQ(log_->writes, writes + 1);
  EXPECT_EQ(seen_, std::vector<std::string>{"update users " + id});
  EXPECT_EQ(stored(), "new");
  EXPECT_EQ(sync_wait(database_->query("SELECT tokenKey FROM users"))[0].as_text(0), token_key);

  // The hash checked is no longer the stored one: nothing is replaced, nothing published.
  seen_.clear();
  EXPECT_FALSE(sync_wait(service_->replace_password_hash(users, id, "hashed:secret123", "old")));
  EXPECT_TRUE(seen_.empty());
  EXPECT_EQ(stored(), "new");
}

TEST_F(RecordServiceTest, FindsAuthRecordsByIdentityIgnoringCaseButNeverAmbiguously) {
  const json::object ann = make_user("Ann@x.io");
  superuser();
  const schema::Collection& users = *catalog_->find("users");
  const std::vector<std::string> email{"email"};
  auto found = sync_wait(service_->find_auth_record(users, email, "ann@X.io"));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->at("id"), ann.at("id"));
  EXPECT_EQ(found->at("password").as_string(), "hashed:secret123");  // stored form
  EXPECT_FALSE(sync_wait(service_->find_auth_record(users, email, "bob@x.io")));
}

}  // namespace
}  // namespace basalt::records
