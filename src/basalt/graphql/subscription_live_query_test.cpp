// LiveQuery against a real SQLite database and record service: a live query's first result, a
// re-run after a commit of a table it reads, a burst of events coalesced into one re-run, a
// query run once, a re-run that fails ending the operation, stop() silencing the sink, and the
// caller re-checked before every run (revoked: kRevoked; its own auth record's event wakes it).
#include "basalt/graphql/subscription_live_query.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <vector>

#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/graphql/testing/service_fixture.hpp"
#include "basalt/records/record_service.hpp"

namespace basalt::graphql {
namespace {

namespace json = boost::json;
using db::testing::sync_wait;

// The recheck a transport gives: counts its calls and answers nullopt once `revoked`.
struct LiveRecheckProbe {
  int calls = 0;
  bool revoked = false;
  records::Caller caller;
};

boost::asio::awaitable<std::optional<LiveCaller>> live_probe_recheck(LiveRecheckProbe* probe) {
  ++probe->calls;
  if (probe->revoked) co_return std::nullopt;
  LiveCaller now{probe->caller, nullptr};
  co_return now;
}

struct LiveMessage {
  LiveOutput output;
  std::string payload;
};

class LiveQueryTest : public ::testing::Test, public testing::ServiceFixture {
 protected:
  LiveQueryTest() {
    for (const char* name : {"notes", "others"}) {
      sync_wait(collections_->create(json::parse(std::string(R"({"name":")") + name +
                                                 R"(","listRule":"","fields":[{"name":"text",)"
                                                 R"("type":"text"}]})")));
    }
  }

  // The database goes first: its read pool may still finish a run's statement, which posts the
  // completion to io_, so io_ must outlive it (Database's contract: the executors of callers
  // outlive the database). io_ then drops what was never run.
  ~LiveQueryTest() override { database_.reset(); }

  void create_note(std::string_view collection, const std::string& text) {
    create_record(collection, json::serialize(json::object{{"text", text}}));
  }

  std::shared_ptr<LiveQuery> start(std::string document, LiveRecheckProbe* probe = nullptr,
                                   query::RequestInfo info = {},
                                   std::vector<LiveMessage>* inbox = nullptr) {
    LiveQueryContext context{*service_, events_,         records::Caller{},           nullptr,
                             info,      RequestPolicy{}, std::chrono::milliseconds(1)};
    if (probe != nullptr) {
      context.caller = probe->caller;
      context.recheck = [probe] { return live_probe_recheck(probe); };
    }
    LiveQueryRequest request{std::move(document), std::nullopt, ""};
    std::vector<LiveMessage>* into = inbox != nullptr ? inbox : &messages_;
    return LiveQuery::start(io_.get_executor(), std::move(context), std::move(request),
                            [this, into](LiveOutput output, std::string payload) {
                              into->push_back({output, std::move(payload)});
                              ++delivered_;
                            });
  }

  // Runs the io_context until `count` messages arrived in all inboxes together.
  void run_until_delivered(std::size_t count) {
    while (delivered_ < count) {
      io_.restart();
      ASSERT_GT(io_.run_one(), 0U) << "the live queries stopped before message " << count;
    }
  }

  // Runs the io_context until `count` messages arrived (each handler may wait on the read pool).
  void run_until(std::size_t count) {
    while (messages_.size() < count) {
      io_.restart();
      ASSERT_GT(io_.run_one(), 0U) << "the live query stopped before message " << count;
    }
  }

  boost::asio::io_context io_;
  std::vector<LiveMessage> messages_;
  std::size_t delivered_ = 0;
};

TEST_F(LiveQueryTest, SendsTheFirstResultThenANewOneAfterACommitOfATableItReads) {
  auto live = start("subscription { notes_aggregate { aggregate { count } } }");
  run_until(1);
  EXPECT_EQ(messages_[0].output, LiveOutput::kNext);
  EXPECT_EQ(messages_[0].payload, R"({"data":{"notes_aggregate":{"aggregate":{"count":0}}}})");
  create_note("notes", "a");
  run_until(2);
  EXPECT_EQ(messages_[1].payload, R"({"data":{"notes_aggregate":{"aggregate":{"count":1}}}})");
  EXPECT_EQ(live->runs(), 2U);
  live->stop();
}

TEST_F(LiveQueryTest, ABurstOfEventsIsOneRerun) {
  auto live = start("subscription { notes { text } }");
  run_until(1);
  // Five commits before the worker gets to run: the first marks the query dirty and posts one
  // wake-up, the others find it dirty already.
  for (int i = 0; i < 5; ++i) create_note("notes", "n" + std::to_string(i));
  run_until(2);
  EXPECT_EQ(live->runs(), 2U);
  EXPECT_EQ(json::parse(messages_[1].payload).at("data").at("notes").as_array().size(), 5U);
  live->stop();
  io_.restart();
  io_.poll();
  EXPECT_EQ(messages_.size(), 2U);
}

TEST_F(LiveQueryTest, AQueryRunsOnceThenCompletes) {
  auto live = start("{ notes { text } }");
  run_until(2);
  EXPECT_EQ(messages_[0].output, LiveOutput::kNext);
  EXPECT_EQ(messages_[1].output, LiveOutput::kComplete);
  EXPECT_TRUE(live->stopped());
}

TEST_F(LiveQueryTest, AnInvalidOperationIsOneErrorMessage) {
  auto live = start("subscription { nothing_here }");
  run_until(1);
  EXPECT_EQ(messages_[0].output, LiveOutput::kError);
  const json::value errors = json::parse(messages_[0].payload);
  EXPECT_EQ(errors.at(0).at("extensions").at("code").as_string(), "validation-failed");
}

TEST_F(LiveQueryTest, ARerunThatNoLongerValidatesEndsWithAnError) {
  auto live = start("subscription { others { text } }");
  run_until(1);
  sync_wait(collections_->update("others", json::parse(R"({"listRule": null})")));
  create_note("others", "x");  // the event that makes it run again, now without the field
  run_until(2);
  EXPECT_EQ(messages_[1].output, LiveOutput::kError);
  EXPECT_TRUE(live->stopped());
}

TEST_F(LiveQueryTest, NoMessageAfterStop) {
  auto live = start("subscription { notes { text } }");
  run_until(1);
  live->stop();
  create_note("notes", "after stop");
  io_.restart();
  io_.poll();
  EXPECT_EQ(messages_.size(), 1U);
}

TEST_F(LiveQueryTest, TheCallerIsRecheckedBeforeEveryRunAndARevokedOneEndsIt) {
  LiveRecheckProbe probe;
  auto live = start("subscription { notes { text } }", &probe);
  run_until(1);
  EXPECT_EQ(probe.calls, 1);
  create_note("notes", "seen");
  run_until(2);
  EXPECT_EQ(probe.calls, 2);
  probe.revoked = true;
  create_note("notes", "never seen");
  run_until(3);
  EXPECT_EQ(messages_[2].output, LiveOutput::kRevoked);
  EXPECT_TRUE(messages_[2].payload.empty());
  EXPECT_TRUE(live->stopped());
  EXPECT_EQ(live->runs(), 2U);  // the revoked run never executed the query
}

TEST_F(LiveQueryTest, AnUpdateOfTheCallersOwnAuthRecordWakesAQueryThatDoesNotReadIt) {
  auto catalog = collections_->catalog();
  LiveRecheckProbe probe;
  probe.caller = records::Caller{catalog->find("_superusers"), &superuser_record_};
  auto live = start("subscription { notes { text } }", &probe);
  run_until(1);
  probe.revoked = true;  // e.g. its tokenKey changed
  records::RecordEvent event;
  event.action = records::RecordAction::kUpdate;
  event.collection_id = probe.caller.collection->id;
  event.collection_name = probe.caller.collection->name;
  event.record = superuser_record_;
  events_.publish(event);
  run_until(2);
  EXPECT_EQ(messages_[1].output, LiveOutput::kRevoked);
  EXPECT_EQ(probe.calls, 2);
}

TEST_F(LiveQueryTest, IdenticalSubscriptionsShareOneRunPerCommit) {
  std::vector<LiveMessage> counts[3];
  std::vector<LiveMessage> texts;
  std::vector<std::shared_ptr<LiveQuery>> lives;
  for (auto& inbox : counts) {
    lives.push_back(
        start("subscription { notes_aggregate { aggregate { count } } }", nullptr, {}, &inbox));
  }
  lives.push_back(start("subscription { notes { text } }", nullptr, {}, &texts));
  run_until_delivered(4);
  // Subscribers that arrive together share their first run too: two distinct documents.
  EXPECT_EQ(lives.front()->worker_runs(), 2U);
  create_note("notes", "a");
  run_until_delivered(8);
  EXPECT_EQ(lives.front()->worker_runs(), 4U);
  for (auto& inbox : counts) {
    ASSERT_EQ(inbox.size(), 2U);
    EXPECT_EQ(inbox[1].payload, R"({"data":{"notes_aggregate":{"aggregate":{"count":1}}}})");
  }
  ASSERT_EQ(texts.size(), 2U);
  EXPECT_EQ(texts[1].payload, R"({"data":{"notes":[{"text":"a"}]}})");
  for (const auto& live : lives) EXPECT_EQ(live->runs(), 2U);
  for (const auto& live : lives) live->stop();
}

TEST_F(LiveQueryTest, DifferentCallersDoNotShareARun) {
  auto catalog = collections_->catalog();
  json::object other_superuser{{"id", "su0000000000002"}};
  LiveRecheckProbe first;
  first.caller = records::Caller{catalog->find("_superusers"), &superuser_record_};
  LiveRecheckProbe second;
  second.caller = records::Caller{catalog->find("_superusers"), &other_superuser};
  std::vector<LiveMessage> a;
  std::vector<LiveMessage> b;
  std::vector<LiveMessage> guest;
  auto one = start("subscription { notes { text } }", &first, {}, &a);
  auto two = start("subscription { notes { text } }", &second, {}, &b);
  auto three = start("subscription { notes { text } }", nullptr, {}, &guest);
  run_until_delivered(3);
  EXPECT_EQ(one->worker_runs(), 3U);
  create_note("notes", "x");
  run_until_delivered(6);
  EXPECT_EQ(one->worker_runs(), 6U);
  EXPECT_EQ(first.calls, 2);  // each subscriber's own re-check, shared run or not
  EXPECT_EQ(second.calls, 2);
  one->stop();
  two->stop();
  three->stop();
}

TEST_F(LiveQueryTest, HeadersSplitTheRunOnlyWhileARuleReadsThem) {
  query::RequestInfo red;
  red.headers = json::object{{"x_team", "red"}};
  query::RequestInfo blue;
  blue.headers = json::object{{"x_team", "blue"}};
  std::vector<LiveMessage> reds;
  std::vector<LiveMessage> blues;
  auto one = start("subscription { others { text } }", nullptr, red, &reds);
  auto two = start("subscription { others { text } }", nullptr, blue, &blues);
  // No rule reads headers: subscribers that differ only in them share.
  run_until_delivered(2);
  EXPECT_EQ(one->worker_runs(), 1U);
  EXPECT_EQ(reds[0].payload, blues[0].payload);

  // Now one does: the next run is one per header set, and each sees what its rule lets through.
  sync_wait(collections_->update(
      "others", json::parse(R"({"listRule": "@request.headers.x_team = 'red'"})")));
  create_note("others", "for the red team");
  run_until_delivered(3);
  while (two->runs() < 2) {
    io_.restart();
    ASSERT_GT(io_.run_one(), 0U);
  }
  EXPECT_EQ(one->worker_runs(), 3U);
  EXPECT_EQ(reds[1].payload, R"({"data":{"others":[{"text":"for the red team"}]}})");
  io_.restart();
  io_.poll();
  EXPECT_EQ(blues.size(), 1U);  // its result did not change: [] before and after
  one->stop();
  two->stop();
}

TEST_F(LiveQueryTest, AnUnchangedResultIsNotSentAgain) {
  std::vector<LiveMessage> inbox;
  auto live =
      start("subscription { notes_aggregate { aggregate { count } } }", nullptr, {}, &inbox);
  run_until_delivered(1);
  // A commit of the table that leaves the result as it was: a run, nothing sent.
  records::RecordEvent event;
  event.action = records::RecordAction::kUpdate;
  event.collection_name = "notes";
  events_.publish(event);
  while (live->runs() < 2) {
    io_.restart();
    ASSERT_GT(io_.run_one(), 0U);
  }
  io_.restart();
  io_.poll();
  EXPECT_EQ(inbox.size(), 1U);
  live->stop();
}

}  // namespace
}  // namespace basalt::graphql
