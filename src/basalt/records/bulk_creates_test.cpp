// A batch's plain creates through the bulk path (bulk_creates.hpp) against a real SQLite
// database: the statements its job runs (one existence query per run and related collection,
// one INSERT per record, no id lookups), and every failure reported at its sub-request's index
// with nothing stored: a rule refusing the 700th create, a missing related record, a taken id
// (from the primary key), an id taken ignoring case under a custom id pattern. Creates mixed
// with other collections and other kinds of write keep request order.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <string>
#include <vector>

#include "basalt/collections/collection_service.hpp"
#include "basalt/core/clock.hpp"
#include "basalt/db/migrations.hpp"
#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/db/testing/statement_log.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/db/testing/temp_dir.hpp"
#include "basalt/records/bulk_creates.hpp"
#include "basalt/records/record_service.hpp"

namespace basalt::records {
namespace {

namespace json = boost::json;
using db::testing::sync_wait;

class NoPasswords final : public PasswordPort {
 public:
  boost::asio::awaitable<std::string> hash(std::string plain, std::string_view) const override {
    co_return "hashed:" + plain;
  }
  boost::asio::awaitable<bool> verify(std::string plain, std::string stored,
                                      std::string_view) const override {
    co_return stored == "hashed:" + plain;
  }
};

// A 15-character id of its own for each `i`.
std::string fmt_id(int i) {
  const std::string number = std::to_string(i);
  return "id" + std::string(13 - number.size(), '0') + number;
}

class BulkCreatesTest : public ::testing::Test {
 protected:
  BulkCreatesTest() {
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
      events_seen_.push_back(event.collection_name + " " +
                             std::string(event.record.at("id").as_string()));
    });
    collection(R"js({"name":"people","type":"base","createRule":"","updateRule":"",
      "fields":[{"name":"name","type":"text","max":50}]})js");
    collection(R"js({"name":"notes","type":"base","createRule":"title != 'forbidden'",
      "fields":[{"name":"title","type":"text","required":true},
                {"name":"author","type":"relation","collectionId":")js" +
               collection_id("people") + R"js(","maxSelect":1}]})js");
  }

  void collection(const std::string& definition) {
    sync_wait(collections_->create(json::parse(definition)));
  }
  std::string collection_id(std::string_view name) {
    return collections_->catalog()->find(name)->id;
  }
  // A create sub-request. Copyable, unlike BatchOperation (its uploads own temporary files), so
  // that a braced list of them can be passed to run() and failure().
  struct Create {
    std::string collection;
    std::string body;
    operator BatchOperation() const {
      BatchOperation op;
      op.collection = collection;
      op.input.body = json::parse(body).as_object();
      return op;
    }
  };
  static Create create(std::string collection, std::string_view body) {
    return Create{std::move(collection), std::string(body)};
  }
  static std::vector<BatchOperation> operations_of(std::initializer_list<Create> creates) {
    std::vector<BatchOperation> out;
    for (const Create& c : creates) out.push_back(c);
    return out;
  }
  std::vector<BatchOutcome> run(std::vector<BatchOperation> operations) {
    return sync_wait(service_->batch(guest_, std::move(operations), std::chrono::seconds(30)));
  }
  std::vector<BatchOutcome> run(std::initializer_list<Create> creates) {
    return run(operations_of(creates));
  }
  BatchError failure(std::initializer_list<Create> creates) {
    return failure(operations_of(creates));
  }
  // The BatchError the batch fails with (index SIZE_MAX when it does not fail).
  BatchError failure(std::vector<BatchOperation> operations) {
    try {
      run(std::move(operations));
    } catch (const BatchError& error) {
      return error;
    }
    ADD_FAILURE() << "expected a BatchError";
    return BatchError(SIZE_MAX, core::ApiError(0));
  }
  std::int64_t count(std::string_view table) {
    return sync_wait(database_->query("SELECT COUNT(*) FROM " + std::string(table)))[0].as_int(0);
  }
  void add_person(std::string_view id) {
    run({create("people", R"js({"id":")js" + std::string(id) + R"js(","name":"p"})js")});
  }

  core::ManualClock clock_{std::chrono::system_clock::time_point(std::chrono::hours(480000))};
  db::testing::TempDir dir_;
  std::unique_ptr<db::Database> database_;
  std::unique_ptr<db::testing::StatementLog> log_;
  std::vector<db::Migration> migrations_;
  std::unique_ptr<collections::CollectionService> collections_;
  query::PlanCache plans_;
  NoPasswords passwords_;
  EventBus events_;
  std::unique_ptr<RecordService> service_;
  const Caller guest_;
  std::vector<std::string> events_seen_;
};

TEST_F(BulkCreatesTest, RelationsAreCheckedOncePerRunAndEveryRecordIsOneInsert) {
  add_person("ann000000000001");
  add_person("bob000000000001");
  std::vector<BatchOperation> operations;
  for (int i = 0; i < 100; ++i) {
    const std::string author = i % 2 ? "ann000000000001" : "bob000000000001";
    operations.push_back(create("notes", R"js({"title":"n","author":")js" + author + R"js("})js"));
  }
  const std::vector<BatchOutcome> outcomes = run(std::move(operations));
  ASSERT_EQ(outcomes.size(), 100u);
  EXPECT_EQ(outcomes[7].status, 200);
  EXPECT_EQ(outcomes[7].result.record.values.at("author"), "ann000000000001");
  EXPECT_EQ(count("notes"), 100);
  // One query names both authors; no COUNT or id lookup per record.
  EXPECT_EQ(log_->count("SELECT \"id\" FROM \"people\" WHERE \"id\" IN (?1, ?2)"), 1u);
  EXPECT_EQ(log_->count("INSERT INTO \"notes\""), 100u);
  EXPECT_EQ(log_->statements.size(), 100u + 100u + 1u);  // + each record's rule check
  EXPECT_EQ(events_seen_.size(), 2u + 100u);
  EXPECT_EQ(events_seen_[2],
            "notes " + std::string(outcomes[0].result.record.values.at("id").as_string()));
}

TEST_F(BulkCreatesTest, TheSevenHundredthCreateRefusedByItsRuleFailsTheBatchAtItsIndex) {
  std::vector<BatchOperation> operations;
  for (int i = 0; i < 1000; ++i) {
    operations.push_back(
        create("notes", i == 699 ? R"js({"title":"forbidden"})js" : R"js({"title":"fine"})js"));
  }
  const BatchError error = failure(std::move(operations));
  EXPECT_EQ(error.index(), 699u);
  EXPECT_EQ(error.error().status(), 400);
  EXPECT_EQ(error.error().message(), "Failed to create record.");
  EXPECT_TRUE(error.error().data().empty());  // a rule refusal says nothing more
  EXPECT_EQ(count("notes"), 0);
  EXPECT_TRUE(events_seen_.empty());
}

TEST_F(BulkCreatesTest, AMissingRelatedRecordIsReportedAtItsIndex) {
  add_person("ann000000000001");
  std::vector<BatchOperation> operations;
  for (int i = 0; i < 60; ++i) {
    const std::string author = i == 37 ? "nosuchperson001" : "ann000000000001";
    operations.push_back(create("notes", R"js({"title":"n","author":")js" + author + R"js("})js"));
  }
  const BatchError error = failure(std::move(operations));
  EXPECT_EQ(error.index(), 37u);
  EXPECT_EQ(error.error().data().at("author").at("code"), "validation_missing_rel_records");
  EXPECT_EQ(count("notes"), 0);
}

TEST_F(BulkCreatesTest, ARecordCreatedEarlierInTheBatchMayBeRelatedTo) {
  const std::vector<BatchOutcome> outcomes = run({
      create("people", R"js({"id":"new000000000001","name":"new"})js"),
      create("notes", R"js({"title":"n","author":"new000000000001"})js"),
  });
  EXPECT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(count("notes"), 1);
}

TEST_F(BulkCreatesTest, ATakenIdIsReportedAtItsIndexFromThePrimaryKey) {
  add_person("ann000000000001");
  const BatchError before = failure({
      create("people", R"js({"name":"a"})js"),
      create("people", R"js({"id":"ann000000000001","name":"again"})js"),
  });
  EXPECT_EQ(before.index(), 1u);
  EXPECT_EQ(before.error().data().at("id").at("code"), "validation_not_unique");
  EXPECT_EQ(log_->count("SELECT 1 FROM \"people\""), 1u);  // asked only once the INSERT failed

  const BatchError twice = failure({
      create("people", R"js({"id":"twice0000000001","name":"a"})js"),
      create("people", R"js({"name":"b"})js"),
      create("people", R"js({"id":"twice0000000001","name":"c"})js"),
  });
  EXPECT_EQ(twice.index(), 2u);
  EXPECT_EQ(twice.error().data().at("id").at("code"), "validation_not_unique");
  EXPECT_EQ(count("people"), 1);
}

TEST_F(BulkCreatesTest, ACustomIdPatternComparesIdsIgnoringCase) {
  collection(R"js({"name":"codes","type":"base","createRule":"",
    "fields":[{"name":"id","type":"text","primaryKey":true,"required":true,
               "pattern":"^[A-Za-z0-9]+$","min":3,"max":20,"autogeneratePattern":"[a-z]{10}"}]})js");
  run({create("codes", R"js({"id":"ABC123"})js")});
  const BatchError error = failure({
      create("codes", R"js({"id":"other1"})js"),
      create("codes", R"js({"id":"abc123"})js"),
  });
  EXPECT_EQ(error.index(), 1u);
  EXPECT_EQ(error.error().data().at("id").at("code"), "validation_pk_invalid");
  EXPECT_EQ(count("codes"), 1);
}

TEST_F(BulkCreatesTest, CreatesAndOtherWritesOfSeveralCollectionsKeepRequestOrder) {
  add_person("ann000000000001");
  BatchOperation rename;
  rename.kind = WriteKind::kUpdate;
  rename.collection = "people";
  rename.id = "ann000000000001";
  rename.input.body = json::parse(R"js({"name":"renamed"})js").as_object();
  events_seen_.clear();
  std::vector<BatchOperation> operations;
  operations.push_back(create("notes", R"js({"id":"note00000000001","title":"a"})js"));
  operations.push_back(create("people", R"js({"id":"pat000000000001","name":"pat"})js"));
  operations.push_back(std::move(rename));
  operations.push_back(
      create("notes", R"js({"id":"note00000000002","title":"b","author":"pat000000000001"})js"));
  const std::vector<BatchOutcome> outcomes = run(std::move(operations));
  ASSERT_EQ(outcomes.size(), 4u);
  EXPECT_EQ(outcomes[2].result.record.values.at("name"), "renamed");
  EXPECT_EQ(events_seen_,
            (std::vector<std::string>{"notes note00000000001", "people pat000000000001",
                                      "people ann000000000001", "notes note00000000002"}));
  // Failures keep their index across the kinds: an invalid create after the update.
  BatchOperation update;
  update.kind = WriteKind::kUpdate;
  update.collection = "people";
  update.id = "ann000000000001";
  update.input.body = json::parse(R"js({"name":"again"})js").as_object();
  std::vector<BatchOperation> failing;
  failing.push_back(create("people", R"js({"name":"ok"})js"));
  failing.push_back(std::move(update));
  failing.push_back(create("people", R"js({"name":")js" + std::string(60, 'x') + R"js("})js"));
  const BatchError error = failure(std::move(failing));
  EXPECT_EQ(error.index(), 2u);
  EXPECT_EQ(error.error().data().at("name").at("code"), "validation_max_text_constraint");
  EXPECT_EQ(count("people"), 2);
}

TEST_F(BulkCreatesTest, CreatesWithoutARuleAreInsertedManyRowsAStatement) {
  std::vector<BatchOperation> operations;
  for (int i = 0; i < 100; ++i) operations.push_back(create("people", R"js({"name":"p"})js"));
  const std::vector<BatchOutcome> outcomes = run(std::move(operations));
  ASSERT_EQ(outcomes.size(), 100u);
  EXPECT_EQ(count("people"), 100);
  // 3 statements of 32 rows, then the 4 left one by one.
  const std::size_t full = 100 / BulkCreates::kRowsPerInsert;
  const std::size_t left = 100 % BulkCreates::kRowsPerInsert;
  EXPECT_EQ(log_->statements.size(), full + left);
  const std::string rows_insert = std::string(database_->dialect().insert_rows_keyword());
  EXPECT_EQ(log_->count(rows_insert + " INTO \"people\""), full);
  EXPECT_EQ(log_->count("INSERT INTO \"people\""), left);
  ASSERT_EQ(events_seen_.size(), 100u);
  for (std::size_t i = 0; i < 100; ++i) {
    EXPECT_EQ(events_seen_[i],
              "people " + std::string(outcomes[i].result.record.values.at("id").as_string()));
  }
  db::ResultSet rows = sync_wait(
      database_->query("SELECT id FROM people ORDER BY rowid LIMIT 1 OFFSET 40", db::Params{}));
  EXPECT_EQ(rows[0].as_text(0), outcomes[40].result.record.values.at("id").as_string());
}

TEST_F(BulkCreatesTest, AFailingRowOfAMultiRowInsertIsReportedAtItsOwnIndex) {
  // The same id twice inside one statement's rows: the job fails and runs again with a
  // statement per row, where the second one reports the taken id.
  std::vector<BatchOperation> operations;
  for (int i = 0; i < 70; ++i) {
    const std::string id = i == 35 || i == 40 ? "same00000000001" : fmt_id(i);
    operations.push_back(create("people", R"js({"id":")js" + id + R"js(","name":"p"})js"));
  }
  const BatchError error = failure(std::move(operations));
  EXPECT_EQ(error.index(), 40u);
  EXPECT_EQ(error.error().data().at("id").at("code"), "validation_not_unique");
  EXPECT_EQ(count("people"), 0);
}

TEST_F(BulkCreatesTest, RelationsOfMultiRowInsertsAreCheckedRowByRow) {
  collection(R"js({"name":"links","type":"base","createRule":"",
    "fields":[{"name":"to","type":"relation","collectionId":")js" +
             collection_id("people") + R"js(","maxSelect":1}]})js");
  add_person("ann000000000001");
  // Row 45 names the person row 44 creates, in the same 32-row statement: found.
  std::vector<BatchOperation> operations;
  for (int i = 0; i < 64; ++i) {
    if (i == 44) {
      operations.push_back(create("people", R"js({"id":"new000000000001","name":"n"})js"));
      continue;
    }
    const std::string to = i == 45 ? "new000000000001" : "ann000000000001";
    operations.push_back(create("links", R"js({"to":")js" + to + R"js("})js"));
  }
  EXPECT_EQ(run(std::move(operations)).size(), 64u);
  EXPECT_EQ(count("links"), 63);
  // A missing person in the middle of a set of rows fails the batch at that row.
  operations.clear();
  for (int i = 0; i < 64; ++i) {
    const std::string to = i == 50 ? "nosuchperson001" : "ann000000000001";
    operations.push_back(create("links", R"js({"to":")js" + to + R"js("})js"));
  }
  const BatchError error = failure(std::move(operations));
  EXPECT_EQ(error.index(), 50u);
  EXPECT_EQ(error.error().data().at("to").at("code"), "validation_missing_rel_records");
  EXPECT_EQ(count("links"), 63);
}

}  // namespace
}  // namespace basalt::records
