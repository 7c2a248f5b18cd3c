// EventFeed and GraphqlService::execute_events against a real SQLite database and record
// service: `<c>_events` delivers create/update/delete in commit order with the selection, a
// record the listRule hides never arrives, `where` and `actions` filter, relations follow their
// own viewRule, emails follow records::Visibility, a batch is one statement, the caller is
// re-checked (its own record's event wakes the feed), and a subscriber that falls behind ends
// with limit-exceeded.
#include "basalt/graphql/subscription_event_feed.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <vector>

#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/graphql/testing/service_fixture.hpp"

namespace basalt::graphql {
namespace {

namespace json = boost::json;
using db::testing::sync_wait;

struct FeedMessage {
  LiveOutput output;
  std::string payload;
};

// The recheck a transport gives: counts its calls and answers nullopt once `revoked`.
struct FeedRecheckProbe {
  int calls = 0;
  bool revoked = false;
  records::Caller caller;
};

boost::asio::awaitable<std::optional<LiveCaller>> feed_probe_recheck(FeedRecheckProbe* probe) {
  ++probe->calls;
  if (probe->revoked) co_return std::nullopt;
  LiveCaller now{probe->caller, nullptr};
  co_return now;
}

class EventFeedTest : public ::testing::Test, public testing::ServiceFixture {
 protected:
  EventFeedTest() {
    create_collection(R"js({"name": "notes", "listRule": "",
      "fields": [{"name": "text", "type": "text"}]})js");
    create_collection(R"js({"name": "posts", "listRule": "published = true",
      "viewRule": "published = true",
      "fields": [{"name": "title", "type": "text"}, {"name": "published", "type": "bool"},
                 {"name": "secret", "type": "text", "hidden": true}]})js");
    create_collection(R"js({"name": "comments", "listRule": "", "viewRule": "",
      "fields": [{"name": "body", "type": "text"},
                 {"name": "post", "type": "relation", "collectionId": ")js" +
                      current_catalog()->find("posts")->id + R"js(", "maxSelect": 1}]})js");
    sync_wait(collections_->update("users", json::parse(R"({"listRule": "", "viewRule": ""})")));
  }

  // The database first: its read pool may still post a completion to io_ (Database's contract).
  ~EventFeedTest() override { database_.reset(); }

  // Every event of the record service, as the realtime hub would hand it over.
  RecordEventSource bus_source() {
    RecordEventSource source;
    source.listen = [this](RecordEventSource::Listener listener) {
      return events_.subscribe([listener](const records::RecordEvent& event) {
        listener(std::make_shared<const records::RecordEvent>(event));
      });
    };
    source.unlisten = [this](std::uint64_t id) { events_.unsubscribe(id); };
    return source;
  }

  std::shared_ptr<EventFeed> start(std::string document, records::Caller caller = {},
                                   FeedRecheckProbe* probe = nullptr,
                                   std::size_t max_pending = kMaxPendingEvents,
                                   std::vector<FeedMessage>* into = nullptr) {
    catalog_ = current_catalog();
    GraphqlRequest probe_request;
    probe_request.document = document;
    const std::string collection_id =
        service_->event_feed_collection(caller, probe_request, RequestPolicy{});
    EventFeedContext context{*service_, bus_source(),    caller,        nullptr,
                             {},        RequestPolicy{}, collection_id, max_pending};
    if (probe != nullptr) {
      probe->caller = caller;
      context.recheck = [probe] { return feed_probe_recheck(probe); };
    }
    LiveQueryRequest request{std::move(document), std::nullopt, ""};
    std::vector<FeedMessage>* target = into != nullptr ? into : &messages_;
    return EventFeed::start(io_.get_executor(), std::move(context), std::move(request),
                            [target](LiveOutput output, std::string payload) {
                              target->push_back({output, std::move(payload)});
                            });
  }

  // Runs the io_context until the feed ran `count` batches (the first, empty one included).
  void run_batches(const EventFeed& feed, std::uint64_t count) {
    while (feed.batches() < count && !feed.stopped()) {
      io_.restart();
      ASSERT_GT(io_.run_one(), 0U) << "the feed stopped before batch " << count;
    }
  }

  void run_until(std::size_t count) {
    while (messages_.size() < count) {
      io_.restart();
      ASSERT_GT(io_.run_one(), 0U) << "the feed stopped before message " << count;
    }
  }

  json::value payload(std::size_t i) const { return json::parse(messages_.at(i).payload); }

  records::Caller user_caller(const json::object& record) {
    catalog_ = current_catalog();
    return records::Caller{catalog_->find("users"), &record};
  }

  std::string create_user(const std::string& email, bool email_visible) {
    return create_record("users", R"({"email":")" + email +
                                      R"(","password":"secret123","passwordConfirm":"secret123",)"
                                      R"("emailVisibility":)" +
                                      (email_visible ? "true" : "false") + "}");
  }

  void update_record(std::string_view collection, const std::string& id, const std::string& body) {
    records::WriteInput input;
    input.body = json::parse(body).as_object();
    const auto catalog = current_catalog();
    const records::Caller superuser = superuser_of(*catalog);
    sync_wait(records_->update(superuser, collection, id, std::move(input), {}));
  }

  void delete_record(std::string_view collection, const std::string& id) {
    const auto catalog = current_catalog();
    const records::Caller superuser = superuser_of(*catalog);
    sync_wait(records_->remove(superuser, collection, id, {}));
  }

  std::shared_ptr<const collections::Catalog> catalog_;
  boost::asio::io_context io_;
  std::vector<FeedMessage> messages_;
};

TEST_F(EventFeedTest, ASubscriptionToEventsIsAFeedAndALiveQueryIsNot) {
  GraphqlRequest request;
  request.document = "subscription { notes_events { action } }";
  EXPECT_EQ(service_->event_feed_collection({}, request, RequestPolicy{}),
            current_catalog()->find("notes")->id);
  request.document = "subscription { notes { text } }";
  EXPECT_EQ(service_->event_feed_collection({}, request, RequestPolicy{}), "");
  request.document = "subscription { nothing_here }";
  EXPECT_EQ(service_->event_feed_collection({}, request, RequestPolicy{}), "");
}

TEST_F(EventFeedTest, AFeedWhoseNamesAnotherCollectionHasIsLeftOut) {
  create_collection(R"js({"name": "notes_events", "listRule": "",
    "fields": [{"name": "kind", "type": "text"}]})js");
  create_collection(R"js({"name": "posts_event", "listRule": "",
    "fields": [{"name": "kind", "type": "text"}]})js");
  const auto schema = service_->schema_for(CallerClass::kGuest);
  const TypeDef* subscription = schema->schema.find_type("Subscription");
  // `notes_events` is the collection's own live query; `posts` has no feed (its type name is
  // taken); `comments` keeps its feed; views and locked collections never have one.
  EXPECT_FALSE(schema->event_feeds.contains("notes_events"));
  EXPECT_NE(subscription->find_field("notes_events"), nullptr);
  EXPECT_EQ(subscription->find_field("notes_events")->type.to_string(), "[notes_events!]!");
  EXPECT_FALSE(schema->event_feeds.contains("posts_events"));
  EXPECT_EQ(subscription->find_field("posts_events"), nullptr);
  EXPECT_TRUE(schema->event_feeds.contains("comments_events"));
  EXPECT_EQ(subscription->find_field("comments_events")->type.to_string(), "comments_event!");
  EXPECT_EQ(schema->schema.find_type("Query")->find_field("comments_events"), nullptr);
}

TEST_F(EventFeedTest, CreateUpdateAndDeleteArriveInCommitOrderWithTheSelection) {
  auto feed = start("subscription { notes_events { action record { text __typename } } }");
  run_batches(*feed, 1);
  EXPECT_TRUE(messages_.empty());
  const std::string id = create_record("notes", R"({"text":"a"})");
  run_until(1);
  update_record("notes", id, R"({"text":"b"})");
  run_until(2);
  delete_record("notes", id);
  run_until(3);
  EXPECT_EQ(
      messages_[0].payload,
      R"({"data":{"notes_events":{"action":"create","record":{"text":"a","__typename":"notes"}}}})");
  EXPECT_EQ(
      messages_[1].payload,
      R"({"data":{"notes_events":{"action":"update","record":{"text":"b","__typename":"notes"}}}})");
  // A deleted record arrives as it was.
  EXPECT_EQ(
      messages_[2].payload,
      R"({"data":{"notes_events":{"action":"delete","record":{"text":"b","__typename":"notes"}}}})");
  feed->stop();
}

TEST_F(EventFeedTest, ARecordTheListRuleHidesNeverArrives) {
  auto feed = start("subscription { posts_events { record { title } } }");
  run_batches(*feed, 1);
  create_record("posts", R"({"title":"draft","published":false})");
  create_record("posts", R"({"title":"open","published":true})");
  run_until(1);
  create_record("notes", R"({"text":"elsewhere"})");  // another collection: no batch at all
  const std::uint64_t batches = feed->batches();
  io_.restart();
  io_.poll();
  EXPECT_EQ(feed->batches(), batches);
  ASSERT_EQ(messages_.size(), 1U);
  EXPECT_EQ(payload(0).at("data").at("posts_events").at("record").at("title"), "open");
  feed->stop();
}

TEST_F(EventFeedTest, RulesReadTheEventsRecordButTheRealTablesAroundIt) {
  // A self-relation: the rule reads the parent from the real table, the record from its event.
  create_collection(R"js({"name": "nodes", "listRule": "",
    "fields": [{"name": "label", "type": "text"}, {"name": "visible", "type": "bool"}]})js");
  const std::string nodes_id = current_catalog()->find("nodes")->id;
  sync_wait(collections_->update("nodes", json::parse(R"js({
    "listRule": "visible = true && (parent = '' || parent.visible = true)", "viewRule": "",
    "fields": [{"name": "label", "type": "text"}, {"name": "visible", "type": "bool"},
               {"name": "parent", "type": "relation", "collectionId": ")js" +
                                                      nodes_id + R"js(", "maxSelect": 1}]})js")));
  const std::string hidden = create_record("nodes", R"({"label":"hidden root","visible":false})");
  const std::string shown = create_record("nodes", R"({"label":"root","visible":true})");
  auto feed = start("subscription { nodes_events { action record { label parent { label } } } }");
  run_batches(*feed, 1);
  create_record("nodes", R"({"label":"under hidden","visible":true,"parent":")" + hidden + R"("})");
  const std::string child = create_record(
      "nodes", R"({"label":"under root","visible":true,"parent":")" + shown + R"("})");
  delete_record("nodes", child);  // gone from the table: checked as it was
  run_until(2);
  io_.restart();
  io_.poll();
  ASSERT_EQ(messages_.size(), 2U);
  EXPECT_EQ(json::serialize(payload(0).at("data").at("nodes_events")),
            R"({"action":"create","record":{"label":"under root","parent":{"label":"root"}}})");
  EXPECT_EQ(json::serialize(payload(1).at("data").at("nodes_events")),
            R"({"action":"delete","record":{"label":"under root","parent":{"label":"root"}}})");
  feed->stop();
}

TEST_F(EventFeedTest, WhereAndActionsChooseTheEvents) {
  auto feed = start(
      R"(subscription { notes_events(where: {text: {_like: "keep%"}}, actions: [update]) {
           action record { text } } })");
  run_batches(*feed, 1);
  const std::string kept = create_record("notes", R"({"text":"keep me"})");  // a create: no
  const std::string other = create_record("notes", R"({"text":"other"})");
  update_record("notes", other, R"({"text":"still other"})");  // where: no
  update_record("notes", kept, R"({"text":"keep it"})");
  run_until(1);
  io_.restart();
  io_.poll();
  ASSERT_EQ(messages_.size(), 1U);
  EXPECT_EQ(payload(0).at("data").at("notes_events").at("record").at("text"), "keep it");
  EXPECT_EQ(payload(0).at("data").at("notes_events").at("action"), "update");
  feed->stop();
}

TEST_F(EventFeedTest, RelationsInTheSelectionFollowTheirViewRule) {
  const std::string draft = create_record("posts", R"({"title":"draft","published":false})");
  const std::string open = create_record("posts", R"({"title":"open","published":true})");
  auto feed = start("subscription { comments_events { record { body post { title } } } }");
  run_batches(*feed, 1);
  create_record("comments", R"({"body":"on draft","post":")" + draft + "\"}");
  create_record("comments", R"({"body":"on open","post":")" + open + "\"}");
  run_until(2);
  EXPECT_EQ(json::serialize(payload(0).at("data").at("comments_events").at("record")),
            R"({"body":"on draft","post":null})");
  EXPECT_EQ(json::serialize(payload(1).at("data").at("comments_events").at("record")),
            R"({"body":"on open","post":{"title":"open"}})");
  feed->stop();
}

TEST_F(EventFeedTest, EmailsFollowTheirVisibility) {
  auto feed = start("subscription { users_events { record { email } } }");
  run_batches(*feed, 1);
  create_user("hidden@x.io", false);
  create_user("shown@x.io", true);
  run_until(2);
  EXPECT_TRUE(payload(0).at("data").at("users_events").at("record").at("email").is_null());
  EXPECT_EQ(payload(1).at("data").at("users_events").at("record").at("email"), "shown@x.io");
  feed->stop();
}

TEST_F(EventFeedTest, ABatchIsOneStatementWhateverItsSize) {
  auto feed = start("subscription { comments_events { record { body post { title } } } }");
  run_batches(*feed, 1);
  const std::string open = create_record("posts", R"({"title":"open","published":true})");
  const std::size_t before = log_->reads.size();
  // Three commits before the worker runs: one wake-up, one batch, one statement.
  for (int i = 0; i < 3; ++i) {
    create_record("comments", R"({"body":"c)" + std::to_string(i) + R"(","post":")" + open + "\"}");
  }
  run_until(3);
  EXPECT_EQ(log_->reads.size() - before, 1U);
  EXPECT_EQ(feed->batches(), 2U);
  feed->stop();
}

TEST_F(EventFeedTest, AHiddenFieldInWhereEndsTheFeedAtOnce) {
  // `secret` is hidden: not in a guest's posts_bool_exp, so the document does not validate.
  auto feed = start(R"(subscription { posts_events(where: {secret: {_eq: "x"}}) { action } })");
  run_until(1);
  EXPECT_EQ(messages_[0].output, LiveOutput::kError);
  EXPECT_EQ(payload(0).at(0).at("extensions").at("code"), "validation-failed");
  EXPECT_TRUE(feed->stopped());
}

TEST_F(EventFeedTest, TheCallerIsRecheckedAndItsOwnRecordsEventEndsARevokedFeed) {
  const std::string ann = create_user("ann@x.io", false);
  const json::object ann_record{{"id", ann}};
  FeedRecheckProbe probe;
  auto feed = start("subscription { notes_events { action } }", user_caller(ann_record), &probe);
  run_batches(*feed, 1);
  EXPECT_EQ(probe.calls, 1);
  create_record("notes", R"({"text":"seen"})");
  run_until(1);
  EXPECT_EQ(probe.calls, 2);
  probe.revoked = true;                              // e.g. its password changed
  update_record("users", ann, R"({"name":"Ann"})");  // its own record: wakes the feed
  run_until(2);
  EXPECT_EQ(messages_[1].output, LiveOutput::kRevoked);
  EXPECT_TRUE(feed->stopped());
}

TEST_F(EventFeedTest, ASubscriberThatFallsBehindEndsWithLimitExceeded) {
  auto feed = start("subscription { notes_events { action } }", {}, nullptr, 2);
  run_batches(*feed, 1);
  for (int i = 0; i < 3; ++i) create_record("notes", R"({"text":"n"})");
  run_until(1);
  EXPECT_EQ(messages_[0].output, LiveOutput::kError);
  EXPECT_EQ(payload(0).at(0).at("extensions").at("code"), "limit-exceeded");
  EXPECT_TRUE(feed->stopped());
}

// Runs the io_context until every list holds `count` messages.
void run_feeds_until(boost::asio::io_context& io, const std::vector<std::vector<FeedMessage>>& all,
                     std::size_t count) {
  while (std::any_of(all.begin(), all.end(), [count](const auto& m) { return m.size() < count; })) {
    io.restart();
    ASSERT_GT(io.run_one(), 0U) << "a feed stopped before message " << count;
  }
}

TEST_F(EventFeedTest, IdenticalFeedsShareOneStatementPerBatch) {
  std::vector<std::vector<FeedMessage>> got(4);
  std::vector<std::shared_ptr<EventFeed>> feeds;
  const std::string same = "subscription { notes_events { action record { text } } }";
  for (int i = 0; i < 3; ++i) feeds.push_back(start(same, {}, nullptr, kMaxPendingEvents, &got[i]));
  feeds.push_back(start("subscription { notes_events { record { id } } }", {}, nullptr,
                        kMaxPendingEvents, &got[3]));
  for (const auto& feed : feeds) run_batches(*feed, 1);
  const std::uint64_t runs = feeds[0]->worker_runs();
  const std::size_t before = log_->reads.size();
  create_record("notes", R"({"text":"one"})");
  run_feeds_until(io_, got, 1);
  // Two distinct runs (the three alike share one), one statement each.
  EXPECT_EQ(feeds[0]->worker_runs() - runs, 2U);
  EXPECT_EQ(log_->reads.size() - before, 2U);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(got[i].size(), 1U);
    EXPECT_EQ(got[i][0].payload, got[0][0].payload);
  }
  EXPECT_EQ(json::parse(got[0][0].payload).at("data").at("notes_events").at("record").at("text"),
            "one");
  for (const auto& feed : feeds) feed->stop();
}

TEST_F(EventFeedTest, DifferentCallersNeverShareAndEachIsRechecked) {
  const std::string ann = create_user("ann@x.io", false);
  const std::string bob = create_user("bob@x.io", false);
  const json::object ann_record{{"id", ann}};
  const json::object bob_record{{"id", bob}};
  FeedRecheckProbe ann_probe;
  FeedRecheckProbe bob_probe;
  std::vector<std::vector<FeedMessage>> got(2);
  const std::string document = "subscription { notes_events { action } }";
  auto first = start(document, user_caller(ann_record), &ann_probe, kMaxPendingEvents, &got[0]);
  auto second = start(document, user_caller(bob_record), &bob_probe, kMaxPendingEvents, &got[1]);
  run_batches(*first, 1);
  run_batches(*second, 1);
  const std::uint64_t runs = first->worker_runs();
  create_record("notes", R"({"text":"n"})");
  run_feeds_until(io_, got, 1);
  EXPECT_EQ(first->worker_runs() - runs, 2U);
  EXPECT_EQ(ann_probe.calls, 2);
  EXPECT_EQ(bob_probe.calls, 2);
  // One revoked: it alone ends, the other goes on.
  ann_probe.revoked = true;
  create_record("notes", R"({"text":"m"})");
  run_feeds_until(io_, got, 2);
  EXPECT_EQ(got[0][1].output, LiveOutput::kRevoked);
  EXPECT_EQ(got[1][1].output, LiveOutput::kNext);
  EXPECT_FALSE(second->stopped());
  second->stop();
}

TEST_F(EventFeedTest, AFeedJoiningLaterGetsOnlyWhatCommitsAfterItAndThenShares) {
  std::vector<std::vector<FeedMessage>> got(2);
  const std::string document = "subscription { notes_events { record { text } } }";
  auto early = start(document, {}, nullptr, kMaxPendingEvents, &got[0]);
  run_batches(*early, 1);
  create_record("notes", R"({"text":"before"})");  // queued, not yet taken by the worker
  auto late = start(document, {}, nullptr, kMaxPendingEvents, &got[1]);
  create_record("notes", R"({"text":"after"})");
  run_until(0);
  run_feeds_until(io_, got, 1);
  while (got[0].size() < 2) {
    io_.restart();
    ASSERT_GT(io_.run_one(), 0U);
  }
  ASSERT_EQ(got[1].size(), 1U);
  EXPECT_EQ(json::parse(got[1][0].payload).at("data").at("notes_events").at("record").at("text"),
            "after");
  EXPECT_EQ(json::parse(got[0][0].payload).at("data").at("notes_events").at("record").at("text"),
            "before");
  // From now on their batches are the same: one run for both.
  const std::uint64_t runs = early->worker_runs();
  create_record("notes", R"({"text":"shared"})");
  while (got[0].size() < 3 || got[1].size() < 2) {
    io_.restart();
    ASSERT_GT(io_.run_one(), 0U);
  }
  EXPECT_EQ(early->worker_runs() - runs, 1U);
  early->stop();
  late->stop();
}

TEST_F(EventFeedTest, NoMessageAfterStop) {
  auto feed = start("subscription { notes_events { action } }");
  run_batches(*feed, 1);
  feed->stop();
  create_record("notes", R"({"text":"after stop"})");
  io_.restart();
  io_.poll();
  EXPECT_TRUE(messages_.empty());
}

}  // namespace
}  // namespace basalt::graphql
