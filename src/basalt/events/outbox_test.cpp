// The outbox against a real SQLite database: rows written in the write's own transaction (none
// when nothing wants them, none for a rolled-back write, no secrets), and the dispatcher's
// order, retries with backoff on the manual clock, dead letters, filters, leases and
// retention, with a scripted destination in place of HTTP.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "basalt/collections/testing/collection_service_fixture.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/events/delivery_log_id.hpp"
#include "basalt/events/destination_service.hpp"
#include "basalt/events/dispatcher.hpp"
#include "basalt/events/outbox_tables.hpp"
#include "basalt/events/outbox_writer.hpp"
#include "basalt/metrics/shared_gauges.hpp"
#include "basalt/records/record_service.hpp"

namespace basalt::events {
namespace {

using db::testing::sync_wait;
namespace json = boost::json;

class OutboxTestPasswords final : public records::PasswordPort {
 public:
  boost::asio::awaitable<std::string> hash(std::string plain, std::string_view) const override {
    co_return "h:" + plain;
  }
  boost::asio::awaitable<bool> verify(std::string, std::string, std::string_view) const override {
    co_return false;
  }
};

// How a ScriptedDestination takes several events at once (Destination::deliver_many).
struct ScriptedPipeline {
  std::size_t in_flight = 1;  // 1: the interface's default, one event at a time
  // After a result that is not kDelivered, no more results (a connection lost there); else a
  // result for every event (a broker whose answer to one message says nothing of the next).
  bool stops_at_failure = false;
  std::vector<std::size_t> calls;  // the number of events of each call
};

// Answers deliveries from a script (then kDelivered) and records what it was given.
class ScriptedDestination final : public Destination {
 public:
  ScriptedDestination(std::deque<DeliveryResult::Outcome>& script, std::vector<OutboxEvent>& seen,
                      ScriptedPipeline& pipeline)
      : script_(script), seen_(seen), pipeline_(pipeline) {}
  std::size_t max_in_flight() const noexcept override { return pipeline_.in_flight; }
  std::vector<DeliveryResult> deliver_many(std::span<const OutboxEvent* const> events,
                                           const BeforeSend& before_send) override {
    pipeline_.calls.push_back(events.size());
    if (pipeline_.in_flight == 1) return Destination::deliver_many(events, before_send);
    std::vector<DeliveryResult> results;
    for (const OutboxEvent* event : events) {
      results.push_back(deliver(*event));
      if (pipeline_.stops_at_failure &&
          results.back().outcome != DeliveryResult::Outcome::kDelivered) {
        break;
      }
    }
    return results;
  }
  DeliveryResult deliver(const OutboxEvent& event) override {
    seen_.push_back(event);
    DeliveryResult result;
    result.outcome = DeliveryResult::Outcome::kDelivered;
    if (!script_.empty()) {
      result.outcome = script_.front();
      script_.pop_front();
    }
    result.status = result.outcome == DeliveryResult::Outcome::kDelivered ? 200 : 503;
    result.detail = "scripted";
    return result;
  }

 private:
  std::deque<DeliveryResult::Outcome>& script_;
  std::vector<OutboxEvent>& seen_;
  ScriptedPipeline& pipeline_;
};

class OutboxTest : public collections::testing::CollectionServiceFixture {
 protected:
  OutboxTest() {
    outbox_migrations_ = outbox_migrations(database_->dialect());
    sync_wait(db::apply_migrations(*database_, outbox_migrations_));
    records_ = std::make_unique<records::RecordService>(*database_, *service_, plans_, passwords_,
                                                        events_, clock_);
    writer_ = std::make_unique<OutboxWriter>(database_->dialect(), clock_);
    records_->set_outbox(writer_.get());
    destinations_ = std::make_unique<DestinationService>(*database_, *service_, *records_, clock_);
    sync_wait(service_->create(
        json::parse(R"({"name":"posts","type":"base","fields":[{"name":"title","type":"text"},)"
                    R"({"name":"n","type":"number"}]})")));
    sync_wait(service_->create(json::parse(R"({"name":"notes","type":"base","fields":[)"
                                           R"({"name":"title","type":"text"}]})")));
  }

  records::Caller superuser() {
    catalog_ = service_->catalog();
    return records::Caller{catalog_->find("_superusers"), &superuser_record_};
  }

  std::string create(std::string_view collection, const std::string& body) {
    records::WriteInput input;
    input.body = json::parse(body).as_object();
    const records::Caller caller = superuser();
    return std::string(sync_wait(records_->create(caller, collection, std::move(input), {}))
                           .record.values.at("id")
                           .as_string());
  }

  json::object add_webhook(const std::string& body) {
    return sync_wait(destinations_->create("webhook", json::parse(body).as_object()));
  }

  std::vector<std::pair<std::string, std::string>> outbox_rows() {
    const db::ResultSet rows = sync_wait(
        database_->query("SELECT action, collectionName, record, seq FROM _outbox ORDER BY seq"));
    std::vector<std::pair<std::string, std::string>> out;
    std::int64_t last = 0;
    for (auto row : rows) {
      EXPECT_GT(row.as_int(3), last);
      last = row.as_int(3);
      out.emplace_back(std::string(row.as_text(0)) + " " + std::string(row.as_text(1)),
                       std::string(row.as_text(2)));
    }
    return out;
  }

  std::unique_ptr<Dispatcher> dispatcher(const std::string& owner = "test-owner") {
    DispatcherOptions options;
    options.owner = owner;
    options.retry_base = std::chrono::milliseconds(1000);
    options.factory = [this](const DestinationSpec&) {
      return std::make_unique<ScriptedDestination>(script_, seen_, pipeline_);
    };
    return std::make_unique<Dispatcher>(*database_, *service_, *records_, *destinations_, clock_,
                                        options);
  }

  std::string schema_id(std::string_view collection) {
    return service_->catalog()->find(collection)->id;
  }

  std::vector<std::string> statuses() {
    const db::ResultSet rows = sync_wait(database_->query(
        "SELECT status || ':' || attempt FROM _deliveries ORDER BY createdMs, seq, attempt"));
    std::vector<std::string> out;
    for (auto row : rows) out.emplace_back(row.as_text(0));
    return out;
  }

  std::vector<db::Migration> outbox_migrations_;
  query::PlanCache plans_;
  OutboxTestPasswords passwords_;
  records::EventBus events_;
  std::unique_ptr<records::RecordService> records_;
  std::unique_ptr<OutboxWriter> writer_;
  std::unique_ptr<DestinationService> destinations_;
  std::shared_ptr<const collections::Catalog> catalog_;
  json::object superuser_record_{{"id", "su0000000000001"}};
  std::deque<DeliveryResult::Outcome> script_;
  std::vector<OutboxEvent> seen_;
  ScriptedPipeline pipeline_;
};

std::vector<std::string> titles(const std::vector<OutboxEvent>& events) {
  std::vector<std::string> out;
  for (const OutboxEvent& event : events) {
    out.emplace_back(json::parse(event.record_json).at("title").as_string());
  }
  return out;
}

TEST_F(OutboxTest, NothingIsWrittenWhileNoDestinationWantsTheEvent) {
  create("posts", R"({"title":"a"})");
  EXPECT_TRUE(outbox_rows().empty());
  add_webhook(R"({"url":"http://127.0.0.1:9/","collections":["notes"],"actions":["update"]})");
  create("posts", R"({"title":"b"})");  // another collection
  create("notes", R"({"title":"c"})");  // another action
  EXPECT_TRUE(outbox_rows().empty());
}

TEST_F(OutboxTest, EveryChangeAppendsARowInCommitOrderWithoutSecrets) {
  add_webhook(R"({"url":"http://127.0.0.1:9/"})");
  const std::string id = create("posts", R"({"title":"a","n":3})");
  records::WriteInput update;
  // A title that needs escaping, and a long one: the row is still the record, exactly.
  const std::string title = "b \"quoted\" \\ \u00e9\n" + std::string(3000, 'x');
  update.body = json::object{{"title", title}};
  const records::Caller caller = superuser();
  sync_wait(records_->update(caller, "posts", id, std::move(update), {}));
  sync_wait(records_->remove(caller, "posts", id, {}));
  create("users",
         R"({"email":"a@example.com","password":"12345678","passwordConfirm":"12345678"})");
  const auto rows = outbox_rows();
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].first, "create posts");
  // Numbers as the REST API writes them (3, never 3E0).
  EXPECT_NE(rows[0].second.find(R"("n":3)"), std::string::npos) << rows[0].second;
  EXPECT_EQ(rows[0].second.find("E0"), std::string::npos) << rows[0].second;
  EXPECT_EQ(rows[1].first, "update posts");
  EXPECT_EQ(json::parse(rows[1].second).at("title").as_string(), title);
  EXPECT_EQ(rows[2].first, "delete posts");
  EXPECT_EQ(rows[3].first, "create users");
  const json::object user = json::parse(rows[3].second).as_object();
  EXPECT_EQ(user.at("email").as_string(), "a@example.com");
  EXPECT_FALSE(user.contains("password"));
  EXPECT_FALSE(user.contains("tokenKey"));
}

TEST_F(OutboxTest, ARolledBackBatchAppendsNothing) {
  add_webhook(R"({"url":"http://127.0.0.1:9/"})");
  std::vector<records::BatchOperation> operations(2);
  operations[0].collection = "posts";
  operations[0].input.body = json::parse(R"({"title":"kept?"})").as_object();
  operations[1].kind = records::WriteKind::kUpdate;
  operations[1].collection = "posts";
  operations[1].id = "missing00000000";
  operations[1].input.body = json::parse(R"({"title":"x"})").as_object();
  const records::Caller caller = superuser();
  EXPECT_THROW(sync_wait(records_->batch(caller, std::move(operations), std::chrono::seconds(5))),
               records::BatchError);
  EXPECT_TRUE(outbox_rows().empty());
  // A job that fails after appending leaves nothing either.
  const records::OutboxRow row = writer_->prepare(
      records::RecordEvent{records::RecordAction::kCreate, "x", "posts", json::object{}});
  EXPECT_THROW(sync_wait(database_->write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
                 const std::span<const records::OutboxRow> rows(&row, 1);
                 co_await writer_->append(tx, rows);
                 throw core::ApiError::bad_request("no");
               })),
               core::ApiError);
  EXPECT_TRUE(outbox_rows().empty());
}

TEST_F(OutboxTest, DispatcherDeliversInOrderRetriesWithBackoffThenMovesOn) {
  add_webhook(R"({"url":"http://127.0.0.1:9/","maxAttempts":3})");
  for (int i = 0; i < 3; ++i) create("posts", R"({"title":"t)" + std::to_string(i) + R"("})");
  auto d = dispatcher();
  script_ = {DeliveryResult::Outcome::kDelivered, DeliveryResult::Outcome::kRetry};
  d->run_pass();
  // The first delivered, the second failed once: the third waits behind it.
  ASSERT_EQ(seen_.size(), 2u);
  EXPECT_EQ(json::parse(seen_[0].record_json).at("title").as_string(), "t0");
  EXPECT_EQ(json::parse(seen_[1].record_json).at("title").as_string(), "t1");
  d->run_pass();  // the backoff has not passed on the manual clock
  EXPECT_EQ(seen_.size(), 2u);
  clock_.advance(std::chrono::seconds(2));
  d->run_pass();
  ASSERT_EQ(seen_.size(), 4u);
  EXPECT_EQ(seen_[2].event_id, seen_[1].event_id);  // the same idempotency key on retry
  EXPECT_EQ(json::parse(seen_[3].record_json).at("title").as_string(), "t2");
  EXPECT_EQ(statuses(),
            (std::vector<std::string>{"delivered:1", "retry:1", "delivered:2", "delivered:1"}));
}

// A destination that pipelines gets the wanted events max_in_flight at a time; a retry in the
// middle of a pipeline holds everything after it (their answers are not used: they are sent
// again after it, at least once), and each attempt is logged once.
TEST_F(OutboxTest, APipelineHoldsEverythingAfterARefusedEventAndSendsItAgainAfterIt) {
  add_webhook(R"({"url":"http://127.0.0.1:9/","maxAttempts":5})");
  for (int i = 1; i <= 10; ++i) create("posts", R"({"title":"t)" + std::to_string(i) + R"("})");
  pipeline_.in_flight = 4;
  auto d = dispatcher();
  using enum DeliveryResult::Outcome;
  script_ = {kDelivered, kDelivered, kDelivered, kDelivered, kDelivered, kRetry};
  d->run_pass();
  EXPECT_EQ(pipeline_.calls, (std::vector<std::size_t>{4, 4}));
  EXPECT_EQ(titles(seen_),
            (std::vector<std::string>{"t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8"}));
  const db::ResultSet state =
      sync_wait(database_->query("SELECT cursor, attempts FROM _destinationStates"));
  EXPECT_EQ(state[0].as_int(1), 1);  // t6's first attempt
  clock_.advance(std::chrono::seconds(2));
  seen_.clear();
  d->run_pass();
  EXPECT_EQ(pipeline_.calls, (std::vector<std::size_t>{4, 4, 4, 1}));
  EXPECT_EQ(titles(seen_), (std::vector<std::string>{"t6", "t7", "t8", "t9", "t10"}));
  EXPECT_EQ(statuses(),
            (std::vector<std::string>{"delivered:1", "delivered:1", "delivered:1", "delivered:1",
                                      "delivered:1", "retry:1", "delivered:2", "delivered:1",
                                      "delivered:1", "delivered:1", "delivered:1"}));
}

// A refused (dead-lettered) event in a pipeline does not stop it: the answers after it count.
// Where the results stop early (the connection lost), the events without one go out again.
TEST_F(OutboxTest, APipelineGoesOnPastARejectionAndResendsWhatGotNoAnswer) {
  add_webhook(R"({"url":"http://127.0.0.1:9/","maxAttempts":5})");
  for (int i = 1; i <= 6; ++i) create("posts", R"({"title":"t)" + std::to_string(i) + R"("})");
  pipeline_.in_flight = 3;
  using enum DeliveryResult::Outcome;
  script_ = {kDelivered, kReject, kDelivered, kDelivered, kDelivered, kDelivered};
  dispatcher()->run_pass();
  EXPECT_EQ(pipeline_.calls, (std::vector<std::size_t>{3, 3}));
  EXPECT_EQ(titles(seen_), (std::vector<std::string>{"t1", "t2", "t3", "t4", "t5", "t6"}));

  for (int i = 7; i <= 10; ++i) create("posts", R"({"title":"t)" + std::to_string(i) + R"("})");
  pipeline_.stops_at_failure = true;
  pipeline_.calls.clear();
  seen_.clear();
  script_ = {kDelivered, kReject};
  dispatcher("second")->run_pass();
  // t7 delivered, t8 rejected with t9 unanswered: t9 and t10 in the next call.
  EXPECT_EQ(pipeline_.calls, (std::vector<std::size_t>{3, 2}));
  EXPECT_EQ(titles(seen_), (std::vector<std::string>{"t7", "t8", "t9", "t10"}));
  EXPECT_EQ(statuses(),
            (std::vector<std::string>{"delivered:1", "rejected:1", "delivered:1", "delivered:1",
                                      "delivered:1", "delivered:1", "delivered:1", "rejected:1",
                                      "delivered:1", "delivered:1"}));
  const db::ResultSet state = sync_wait(database_->query("SELECT cursor FROM _destinationStates"));
  EXPECT_EQ(state[0].as_int(0), 10);
}

// Events the destination does not want are never in a pipeline, and the cursor passes them.
TEST_F(OutboxTest, APipelineCarriesOnlyWantedEventsAndTheCursorPassesTheOthers) {
  add_webhook(R"({"url":"http://127.0.0.1:9/","collections":["posts"],"filter":"n > 0"})");
  create("posts", R"({"title":"p1","n":1})");
  create("notes", R"({"title":"x1"})");
  create("posts", R"({"title":"p0","n":0})");
  create("posts", R"({"title":"p2","n":2})");
  create("notes", R"({"title":"x2"})");
  create("posts", R"({"title":"p3","n":3})");
  create("notes", R"({"title":"x3"})");
  pipeline_.in_flight = 2;
  const PassReport report = dispatcher()->run_pass();
  EXPECT_EQ(pipeline_.calls, (std::vector<std::size_t>{2, 1}));
  EXPECT_EQ(titles(seen_), (std::vector<std::string>{"p1", "p2", "p3"}));
  EXPECT_EQ(report.delivered, 3u);
  EXPECT_EQ(report.skipped, 1u);  // p0, between p1 and p2 (the notes wrote no row at all)
  const db::ResultSet state = sync_wait(database_->query("SELECT cursor FROM _destinationStates"));
  EXPECT_EQ(state[0].as_int(0), 4);
}

TEST(DeliveryLogIdTest, IdsAreRecordShapedAndSortLikeTheirTime) {
  const auto at = [](std::int64_t ms) {
    return delivery_log_id(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
  };
  std::string previous;
  for (std::int64_t ms : {0LL, 35LL, 36LL, 1796635800042LL, 1796635800043LL, 1796635860000LL}) {
    const std::string id = at(ms);
    ASSERT_EQ(id.size(), 20u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyz"), std::string::npos);
    EXPECT_LT(previous, id) << ms;  // a later millisecond sorts after, whatever the random part
    previous = id;
  }
  EXPECT_EQ(at(35).substr(0, 9), "00000000z");
  EXPECT_NE(at(42), at(42));  // the same millisecond: the random part tells them apart
}

TEST_F(OutboxTest, TheBacklogAndLagGaugesFollowTheOwnedCursorAtAnyBacklog) {
  add_webhook(R"({"url":"http://127.0.0.1:9/","maxAttempts":50})");
  for (int i = 0; i < 3; ++i) create("posts", R"({"title":"t)" + std::to_string(i) + R"("})");
  clock_.advance(std::chrono::seconds(30));
  auto d = dispatcher();
  script_ = {DeliveryResult::Outcome::kRetry, DeliveryResult::Outcome::kRetry};
  d->run_pass();  // the first event fails: all three wait
  const auto& gauges = metrics::shared_gauges();
  EXPECT_EQ(gauges.outbox_backlog.load(), 3);
  EXPECT_EQ(gauges.outbox_lag_seconds.load(), 30);
  // Past the counted bound the backlog is the distance in sequence numbers, still exact here.
  sync_wait(database_->write([](db::Transaction& tx) -> boost::asio::awaitable<void> {
    co_await tx.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10005) "
        "INSERT INTO _outbox (eventId, action, collectionId, collectionName, record, committed) "
        "SELECT 'evt_' || i, 'create', 'x', 'posts', '{}', '2030-01-01 00:00:00.000Z' FROM n");
  }));
  clock_.advance(std::chrono::seconds(2));
  d->run_pass();  // the retry fails too: nothing moves
  EXPECT_EQ(seen_.size(), 2u);
  EXPECT_EQ(gauges.outbox_backlog.load(), 3 + 10005);
  EXPECT_EQ(gauges.outbox_lag_seconds.load(), 32);
}

TEST_F(OutboxTest, DispatcherDeadLettersAfterMaxAttemptsAndOnRejection) {
  add_webhook(R"({"url":"http://127.0.0.1:9/","maxAttempts":2})");
  create("posts", R"({"title":"a"})");
  create("posts", R"({"title":"b"})");
  create("posts", R"({"title":"c"})");
  auto d = dispatcher();
  script_ = {DeliveryResult::Outcome::kRetry, DeliveryResult::Outcome::kRetry,
             DeliveryResult::Outcome::kReject};
  d->run_pass();
  clock_.advance(std::chrono::seconds(5));
  d->run_pass();
  EXPECT_EQ(statuses(),
            (std::vector<std::string>{"retry:1", "dead:2", "rejected:1", "delivered:1"}));
  const db::ResultSet state =
      sync_wait(database_->query("SELECT cursor, attempts FROM _destinationStates"));
  EXPECT_EQ(state[0].as_int(0), 3);
  EXPECT_EQ(state[0].as_int(1), 0);
}

TEST_F(OutboxTest, TheFilterAndCollectionsChooseTheEventsAndAFilterErrorIsA400) {
  add_webhook(R"({"url":"http://127.0.0.1:9/","collections":["posts"],"filter":"n > 5"})");
  create("posts", R"({"title":"small","n":1})");
  create("posts", R"({"title":"big","n":9})");
  create("notes", R"({"title":"other"})");
  auto d = dispatcher();
  d->run_pass();
  ASSERT_EQ(seen_.size(), 1u);
  EXPECT_EQ(json::parse(seen_[0].record_json).at("title").as_string(), "big");
  try {
    add_webhook(R"({"url":"http://127.0.0.1:9/","collections":["posts"],"filter":"nope = 1"})");
    FAIL() << "an unknown field must be refused";
  } catch (const core::ApiError& error) {
    EXPECT_EQ(error.status(), 400);
    EXPECT_TRUE(error.data().contains("filter"));
  }
  try {
    add_webhook(R"({"url":"http://127.0.0.1:9/","filter":"n > ","collections":["nope"]})");
    FAIL() << "a syntax error and an unknown collection must be refused";
  } catch (const core::ApiError& error) {
    EXPECT_TRUE(error.data().contains("filter"));
    EXPECT_TRUE(error.data().contains("collections"));
  }
}

TEST_F(OutboxTest, OneLeaseHolderDeliversAndRetentionPrunesDeliveredEvents) {
  add_webhook(R"({"url":"http://127.0.0.1:9/"})");
  create("posts", R"({"title":"a"})");
  auto first = dispatcher("instance-a");
  auto second = dispatcher("instance-b");
  first->run_pass();
  second->run_pass();  // the lease is instance-a's for 15 s
  create("posts", R"({"title":"b"})");
  second->run_pass();
  EXPECT_EQ(seen_.size(), 1u);
  clock_.advance(std::chrono::seconds(16));  // instance-a stopped renewing
  second->run_pass();
  ASSERT_EQ(seen_.size(), 2u);
  EXPECT_EQ(json::parse(seen_[1].record_json).at("title").as_string(), "b");
  EXPECT_EQ(second->prune(), 0u);  // delivered, but younger than the retention
  clock_.advance(std::chrono::hours(73));
  // The first event and the two log rows; the newest event stays, so that the key never
  // gives its number again (a cursor would stand above the next event).
  EXPECT_EQ(second->prune(), 3u);
  ASSERT_EQ(outbox_rows().size(), 1u);
  EXPECT_EQ(outbox_rows()[0].second, "");  // its content is gone with the retention
  clock_.advance(std::chrono::hours(73));
  EXPECT_EQ(second->prune(), 0u);  // the newest event stays, however old
  create("posts", R"({"title":"c"})");
  second->run_pass();
  ASSERT_EQ(seen_.size(), 3u);
  EXPECT_EQ(json::parse(seen_[2].record_json).at("title").as_string(), "c");
  EXPECT_GT(seen_[2].sequence, seen_[1].sequence);
}

TEST_F(OutboxTest, AWriteKeepsTheRowsOfADestinationCreatedAfterItsWriterLastLooked) {
  // A second writer on the same database stands for another instance: it wrote once (and read
  // the empty list), then a destination is created through the first. Its next write must be
  // recorded: the list is checked in the write's transaction, not only in a snapshot.
  OutboxWriter other_writer(database_->dialect(), clock_);
  records::RecordService other(*database_, *service_, plans_, passwords_, events_, clock_);
  other.set_outbox(&other_writer);
  const records::Caller caller = superuser();
  auto create_on_other = [&](const std::string& title) {
    records::WriteInput input;
    input.body = json::object{{"title", title}};
    sync_wait(other.create(caller, "posts", std::move(input), {}));
  };
  create_on_other("before");
  EXPECT_FALSE(other_writer.interested(schema_id("posts"), records::RecordAction::kCreate));
  add_webhook(R"({"url":"http://127.0.0.1:9/","collections":["posts"]})");
  create_on_other("after");
  create("notes", R"({"title":"not wanted"})");
  const auto rows = outbox_rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(json::parse(rows[0].second).at("title").as_string(), "after");
  EXPECT_TRUE(other_writer.interested(schema_id("posts"), records::RecordAction::kCreate));
  // The new destination starts exactly after its creation: "before" is not its to deliver.
  auto d = dispatcher();
  d->run_pass();
  ASSERT_EQ(seen_.size(), 1u);
  EXPECT_EQ(json::parse(seen_[0].record_json).at("title").as_string(), "after");
  // A change of the list (here: deleting it) applies to the next write the same way.
  const std::string id(sync_wait(destinations_->list("webhook"))[0].at("id").as_string());
  sync_wait(destinations_->remove("webhook", id));
  create_on_other("gone");
  EXPECT_EQ(outbox_rows().size(), 1u);
}

TEST_F(OutboxTest, ABatchOfCreatesKeepsTheRowsItsWriterDidNotKnowWereWanted) {
  // The batch's creates reach the job unserialized (the other writer's snapshot wants nothing)
  // and are serialized there, in order, once the transaction finds the new destination.
  OutboxWriter other_writer(database_->dialect(), clock_);
  records::RecordService other(*database_, *service_, plans_, passwords_, events_, clock_);
  other.set_outbox(&other_writer);
  const records::Caller caller = superuser();
  records::WriteInput first;
  first.body = json::object{{"title", "before"}};
  sync_wait(other.create(caller, "posts", std::move(first), {}));
  add_webhook(R"({"url":"http://127.0.0.1:9/","collections":["posts"]})");
  std::vector<records::BatchOperation> operations(3);
  for (std::size_t i = 0; i < operations.size(); ++i) {
    operations[i].collection = "posts";
    operations[i].input.body = json::object{{"title", "b" + std::to_string(i)}};
  }
  sync_wait(other.batch(caller, std::move(operations), std::chrono::seconds(5)));
  const auto rows = outbox_rows();
  ASSERT_EQ(rows.size(), 3u);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].first, "create posts");
    EXPECT_EQ(json::parse(rows[i].second).at("title").as_string(), "b" + std::to_string(i));
  }
}

TEST_F(OutboxTest, AMaskedSecretOrPasswordSentBackKeepsTheStoredOne) {
  const json::object hook = add_webhook(R"({"url":"http://127.0.0.1:9/"})");
  const std::string id(hook.at("id").as_string());
  const std::string secret(hook.at("secret").as_string());
  const json::object listed = sync_wait(destinations_->view("webhook", id));
  json::object patch = listed;  // everything as the answer showed it, the secret masked
  patch.erase("id");
  patch.erase("type");
  patch.erase("created");
  patch.erase("updated");
  patch["url"] = "http://127.0.0.1:10/";
  const json::object updated = sync_wait(destinations_->update("webhook", id, patch));
  EXPECT_NE(updated.at("secret").as_string(), secret);  // not shown: it did not change
  auto stored_config = [&](const std::string& which) {
    const db::ResultSet rows = sync_wait(database_->query(
        "SELECT config FROM _destinations WHERE id = ?", db::Params{db::Value(which)}));
    return json::parse(rows[0].as_text(0)).as_object();
  };
  EXPECT_EQ(stored_config(id).at("secret").as_string(), secret);
  EXPECT_EQ(stored_config(id).at("url").as_string(), "http://127.0.0.1:10/");

  // A broker URL: the answers mask its password; sent back, the stored one is kept, also with
  // another path (vhost); with another host it must be given again.
  const json::object broker = sync_wait(destinations_->create(
      "rabbitmq", json::parse(R"({"config":{"url":"amqp://basalt:s3cret@mq.example:5672/prod"}})")
                      .as_object()));
  const std::string broker_id(broker.at("id").as_string());
  EXPECT_EQ(broker.at("config").at("url").as_string(), "amqp://basalt:***@mq.example:5672/prod");
  sync_wait(destinations_->update(
      "rabbitmq", broker_id,
      json::parse(R"({"config":{"url":"amqp://basalt:***@mq.example:5672/test"}})").as_object()));
  EXPECT_EQ(stored_config(broker_id).at("url").as_string(),
            "amqp://basalt:s3cret@mq.example:5672/test");
  try {
    sync_wait(destinations_->update(
        "rabbitmq", broker_id,
        json::parse(R"({"config":{"url":"amqp://basalt:***@evil.example:5672/test"}})")
            .as_object()));
    FAIL() << "a masked password for another host must be refused";
  } catch (const core::ApiError& error) {
    EXPECT_EQ(error.status(), 400);
    EXPECT_EQ(error.data().at("config").at("url").at("code").as_string(),
              "validation_masked_password");
  }
  EXPECT_EQ(stored_config(broker_id).at("url").as_string(),
            "amqp://basalt:s3cret@mq.example:5672/test");
}

// Blocks in deliver() until released (a receiver that hangs), or counts (one that answers).
class GatedDestinations {
 public:
  DeliveryResult deliver(bool hangs) {
    std::unique_lock lock(mutex_);
    if (hangs) {
      ++hanging_calls_;
      changed_.notify_all();
      changed_.wait(lock, [this] { return released_; });
    } else {
      ++answered_;
      changed_.notify_all();
    }
    return DeliveryResult{DeliveryResult::Outcome::kDelivered, 200, {}, "ok"};
  }
  // Waits for `done` (true) or gives up after a generous bound (false: the test fails).
  template <typename Done>
  bool wait_for(Done done) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(60), [&] { return done(*this); });
  }
  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }
  int hanging_calls_ = 0;
  int answered_ = 0;
  bool released_ = false;

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
};

class GatedDestination final : public Destination {
 public:
  GatedDestination(GatedDestinations& gate, bool hangs) : gate_(gate), hangs_(hangs) {}
  DeliveryResult deliver(const OutboxEvent&) override { return gate_.deliver(hangs_); }

 private:
  GatedDestinations& gate_;
  bool hangs_;
};

TEST_F(OutboxTest, AHangingDestinationDoesNotDelayAnother) {
  add_webhook(R"({"url":"http://hangs.example/"})");
  add_webhook(R"({"url":"http://answers.example/"})");
  constexpr int kEvents = 20;
  for (int i = 0; i < kEvents; ++i) create("posts", R"({"title":"t)" + std::to_string(i) + R"("})");
  GatedDestinations gate;
  DispatcherOptions options;
  options.owner = "test-owner";
  options.concurrency = 2;
  options.factory = [&gate](const DestinationSpec& spec) {
    const bool hangs = spec.config.at("url").as_string() == "http://hangs.example/";
    return std::make_unique<GatedDestination>(gate, hangs);
  };
  Dispatcher d(*database_, *service_, *records_, *destinations_, clock_, options);
  d.start();
  d.wake();
  // Every event reaches the answering destination while the other is still blocked in its
  // first delivery.
  const bool all_answered =
      gate.wait_for([](const GatedDestinations& g) { return g.answered_ == kEvents; });
  EXPECT_TRUE(all_answered);
  EXPECT_TRUE(gate.wait_for([](const GatedDestinations& g) { return g.hanging_calls_ == 1; }));
  gate.release();
  // Once released it receives the rest, in order, one at a time.
  EXPECT_TRUE(
      gate.wait_for([](const GatedDestinations& g) { return g.hanging_calls_ == kEvents; }));
  d.stop();
}

TEST_F(OutboxTest, ProgressIsSavedPerBatchNotPerEventAndAtStop) {
  // Events delivered one step at a time share one save (the cursor and their log rows): a full
  // batch of 32 attempts is saved at once, fewer wait for save_delay (an hour here, on a clock
  // that does not move) or stop(). Nothing unsaved is ever visible as saved.
  add_webhook(R"({"url":"http://answers.example/"})");
  constexpr int kFirst = 40;
  for (int i = 0; i < kFirst; ++i) create("posts", R"({"title":"t)" + std::to_string(i) + R"("})");
  GatedDestinations gate;
  DispatcherOptions options;
  options.owner = "test-owner";
  options.save_delay = std::chrono::hours(1);
  options.factory = [&gate](const DestinationSpec&) {
    return std::make_unique<GatedDestination>(gate, false);
  };
  auto saved = [this] {
    const db::ResultSet state =
        sync_wait(database_->query("SELECT cursor FROM _destinationStates"));
    const db::ResultSet logs = sync_wait(database_->query("SELECT COUNT(*) FROM _deliveries"));
    return std::pair{state[0].as_int(0), logs[0].as_int(0)};
  };
  auto seq_of = [this](int index) {
    const db::ResultSet rows = sync_wait(database_->query(
        "SELECT seq FROM _outbox ORDER BY seq LIMIT 1 OFFSET " + std::to_string(index)));
    return rows[0].as_int(0);
  };
  const std::int64_t before = saved().first;
  Dispatcher d(*database_, *service_, *records_, *destinations_, clock_, options);
  d.start();
  d.wake();
  ASSERT_TRUE(gate.wait_for([](const GatedDestinations& g) { return g.answered_ == kFirst; }));
  // The first 32 were saved together before the 33rd was sent; the last 8 are not saved yet.
  EXPECT_EQ(saved(), (std::pair<std::int64_t, std::int64_t>{seq_of(31), 32}));
  // Three more, one at a time: delivered, still unsaved.
  for (int i = 0; i < 3; ++i) {
    create("posts", R"({"title":"late)" + std::to_string(i) + R"("})");
    d.wake();
    ASSERT_TRUE(
        gate.wait_for([i](const GatedDestinations& g) { return g.answered_ == kFirst + i + 1; }));
  }
  EXPECT_EQ(saved(), (std::pair<std::int64_t, std::int64_t>{seq_of(31), 32}));
  d.stop();  // saves what was delivered, before releasing the lease
  EXPECT_EQ(saved(), (std::pair<std::int64_t, std::int64_t>{seq_of(kFirst + 2), kFirst + 3}));
  EXPECT_GT(saved().first, before);
  EXPECT_EQ(gate.answered_, kFirst + 3);  // each once: the saved cursor is past every one
}

}  // namespace
}  // namespace basalt::events
