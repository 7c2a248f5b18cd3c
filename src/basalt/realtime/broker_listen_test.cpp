// Broker::listen (GraphQL change feeds, docs/realtime.md): a listener receives every event the
// hub brings, on the hub's thread, even with no realtime stream open; without a listener or a
// stream nothing is published at all; after unlisten the listener is not called.
#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <vector>

#include "basalt/collections/collection_service.hpp"
#include "basalt/core/clock.hpp"
#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/db/testing/temp_dir.hpp"
#include "basalt/query/plan_cache.hpp"
#include "basalt/realtime/broker.hpp"
#include "basalt/records/record_service.hpp"

namespace basalt::realtime {
namespace {

class ListenTestPasswords final : public records::PasswordPort {
 public:
  boost::asio::awaitable<std::string> hash(std::string plain, std::string_view) const override {
    co_return plain;
  }
  boost::asio::awaitable<bool> verify(std::string plain, std::string stored,
                                      std::string_view) const override {
    co_return plain == stored;
  }
};

// A LocalHub that counts what is published through it.
class CountingHub final : public Hub {
 public:
  void publish(HubEvent event) override {
    ++published;
    local.publish(std::move(event));
  }
  void set_receiver(Receiver receiver) override { local.set_receiver(std::move(receiver)); }
  bool reaches_other_instances() const noexcept override { return false; }

  LocalHub local;
  int published = 0;
};

class BrokerListenTest : public ::testing::Test {
 protected:
  BrokerListenTest() {
    db::SqliteOptions options;
    options.data_dir = dir_.path();
    options.statement_timeout = std::chrono::seconds(5);
    database_ = db::open_sqlite(options);
    collections_ = std::make_unique<collections::CollectionService>(*database_, clock_);
    records_ = std::make_unique<records::RecordService>(*database_, *collections_, plans_,
                                                        passwords_, events_, clock_);
    broker_ = std::make_unique<Broker>(*records_, *collections_, hub_, core::RealtimeConfig{});
  }

  // What the record service announces after a commit.
  void commit(const std::string& id) {
    records::RecordEvent event;
    event.action = records::RecordAction::kCreate;
    event.collection_id = "pbc_notes";
    event.collection_name = "notes";
    event.record = boost::json::object{{"id", id}};
    events_.publish(event);
  }

  core::ManualClock clock_{std::chrono::system_clock::time_point{}};
  db::testing::TempDir dir_;
  std::unique_ptr<db::Database> database_;
  std::unique_ptr<collections::CollectionService> collections_;
  query::PlanCache plans_;
  ListenTestPasswords passwords_;
  records::EventBus events_;
  std::unique_ptr<records::RecordService> records_;
  CountingHub hub_;
  std::unique_ptr<Broker> broker_;
};

TEST_F(BrokerListenTest, AListenerGetsEveryEventWithoutStreamsAndNothingAfterUnlisten) {
  commit("before");  // no stream, no listener: not even published
  EXPECT_EQ(hub_.published, 0);
  std::vector<std::string> seen;
  const std::uint64_t id = broker_->listen(
      [&seen](const HubEvent& event) { seen.emplace_back(event->record.at("id").as_string()); });
  commit("a");
  commit("b");
  EXPECT_EQ(hub_.published, 2);
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b"}));
  broker_->unlisten(id);
  commit("after");
  EXPECT_EQ(seen.size(), 2U);
  EXPECT_EQ(hub_.published, 2);  // nobody left to receive it
}

TEST_F(BrokerListenTest, EveryListenerGetsTheSameEventInHubOrder) {
  std::vector<std::string> first;
  std::vector<std::string> second;
  const HubEvent* shared = nullptr;
  bool same = true;
  broker_->listen([&](const HubEvent& event) {
    first.emplace_back(event->record.at("id").as_string());
    shared = &event;
  });
  broker_->listen([&](const HubEvent& event) {
    second.emplace_back(event->record.at("id").as_string());
    same = same && shared != nullptr && shared->get() == event.get();  // one copy, not one each
  });
  commit("x");
  commit("y");
  EXPECT_EQ(first, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(second, first);
  EXPECT_TRUE(same);
}

}  // namespace
}  // namespace basalt::realtime
