// PgNotifyBus against the real test server (BASALT_TEST_POSTGRES_URL): two buses on one
// database stand for two instances.
#include "basalt/cluster/pg_notify_bus.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "basalt/cluster/testing/bus_inbox.hpp"
#include "basalt/db/postgres/pg_session.hpp"

namespace basalt::cluster {
namespace {

using namespace std::chrono_literals;

using cluster::testing::BusInbox;

std::shared_ptr<const db::postgres::ConnectionSettings> bus_test_settings() {
  const char* url = std::getenv("BASALT_TEST_POSTGRES_URL");
  return std::make_shared<const db::postgres::ConnectionSettings>(
      db::postgres::connection_settings(url, 5000ms));
}

#define BASALT_BUS_TEST_OR_SKIP()                                \
  if (std::getenv("BASALT_TEST_POSTGRES_URL") == nullptr) {      \
    GTEST_SKIP() << "skipped: BASALT_TEST_POSTGRES_URL not set"; \
  }

TEST(PgNotifyBus, DeliversToOtherInstancesInOrderButNotToItself) {
  BASALT_BUS_TEST_OR_SKIP();
  PgNotifyBus a(bus_test_settings());
  PgNotifyBus b(bus_test_settings());
  BusInbox heard_by_a;
  BusInbox heard_by_b;
  a.subscribe(
      "t", [&](const boost::json::value& body) { heard_by_a.add(boost::json::serialize(body)); });
  b.subscribe(
      "t", [&](const boost::json::value& body) { heard_by_b.add(boost::json::serialize(body)); });
  a.start();
  b.start();
  EXPECT_NE(a.instance_id(), b.instance_id());

  // Many messages: several payloads of up to 7,900 bytes each, still in order.
  constexpr int kMessages = 400;
  const std::string padding(100, 'x');
  for (int i = 0; i < kMessages; ++i) {
    ASSERT_TRUE(b.publish("t", "[" + std::to_string(i) + ",\"" + padding + "\"]"));
  }
  ASSERT_TRUE(a.publish("t", "\"from a\""));
  const std::vector<std::string> got = heard_by_a.wait_for(kMessages);
  ASSERT_EQ(got.size(), static_cast<std::size_t>(kMessages));
  for (int i = 0; i < kMessages; ++i) {
    EXPECT_EQ(got[i], "[" + std::to_string(i) + ",\"" + padding + "\"]");
  }
  const std::vector<std::string> got_b = heard_by_b.wait_for(1);
  ASSERT_EQ(got_b.size(), 1u);
  EXPECT_EQ(got_b[0], "\"from a\"");
  EXPECT_EQ(heard_by_a.wait_for(0).size(), static_cast<std::size_t>(kMessages));
}

TEST(PgNotifyBus, RefusesABodyOverTheMessageLimit) {
  BASALT_BUS_TEST_OR_SKIP();
  PgNotifyBus bus(bus_test_settings());
  EXPECT_FALSE(bus.publish("t", "\"" + std::string(kMaxMessageBytes, 'y') + "\""));
  EXPECT_TRUE(bus.publish("t", "\"" + std::string(kMaxMessageBytes - 2, 'y') + "\""));
}

TEST(PgNotifyBus, ReconnectsAfterTheSessionIsKilledAndResyncs) {
  BASALT_BUS_TEST_OR_SKIP();
  PgNotifyBus a(bus_test_settings());
  PgNotifyBus b(bus_test_settings());
  BusInbox heard;
  BusInbox resyncs;
  a.subscribe("t",
              [&](const boost::json::value& body) { heard.add(boost::json::serialize(body)); });
  a.on_resync([&] { resyncs.add("resync"); });
  a.start();
  b.start();
  ASSERT_EQ(a.sessions_opened(), 1u);

  // Every session listening on the channel goes (both buses'): as a server restart would.
  const db::postgres::PgSession admin = db::postgres::open_session(*bus_test_settings());
  db::postgres::exec(admin.get(),
                     "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
                     "current_database() AND application_name = 'basalt cluster bus'");
  ASSERT_EQ(resyncs.wait_for(1).size(), 1u);
  EXPECT_GE(a.sessions_opened(), 2u);

  // b may still be reconnecting: what it queued meanwhile is sent once it is back.
  ASSERT_TRUE(b.publish("t", "\"after\""));
  const std::vector<std::string> got = heard.wait_for(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], "\"after\"");
}

}  // namespace
}  // namespace basalt::cluster
