// BusMessages (the framing every network bus shares) and ReconnectBackoff, without a server.
#include "basalt/cluster/bus_messages.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace basalt::cluster {
namespace {

TEST(BusMessages, PacksQueuedMessagesIntoPayloadsUnderTheLimitInOrder) {
  BusMessages sender;
  BusMessages receiver;
  std::vector<std::string> heard;
  receiver.subscribe(
      "t", [&](const boost::json::value& body) { heard.push_back(boost::json::serialize(body)); });
  bool wake = false;
  ASSERT_TRUE(sender.queue("t", "1", wake));
  EXPECT_TRUE(wake);  // the first message wakes the transport
  ASSERT_TRUE(sender.queue("t", "2", wake));
  EXPECT_FALSE(wake);  // a wake-up is pending already
  const std::string big = "\"" + std::string(kMaxMessageBytes - 2, 'z') + "\"";
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(sender.queue("t", big, wake));
  sender.woken();
  const std::vector<std::string> payloads = sender.take_payloads();
  ASSERT_EQ(payloads.size(), 3u);  // 1, 2 and the first big one share a payload
  for (const std::string& payload : payloads) {
    EXPECT_LE(payload.size(), kMaxPayloadBytes);
    receiver.dispatch(payload);
  }
  ASSERT_EQ(heard.size(), 5u);
  EXPECT_EQ(heard[0], "1");
  EXPECT_EQ(heard[1], "2");
  EXPECT_EQ(heard[4], big);
  ASSERT_TRUE(sender.queue("t", "3", wake));
  EXPECT_TRUE(wake);  // woken() took the pending wake-up
}

TEST(BusMessages, RefusesABodyOverTheLimitAndIgnoresItsOwnPayloads) {
  BusMessages bus;
  bool wake = false;
  EXPECT_FALSE(bus.queue("t", std::string(kMaxMessageBytes + 1, '1'), wake));
  EXPECT_FALSE(wake);
  int heard = 0;
  bus.subscribe("t", [&](const boost::json::value&) { ++heard; });
  ASSERT_TRUE(bus.queue("t", "true", wake));
  for (const std::string& payload : bus.take_payloads()) bus.dispatch(payload);
  EXPECT_EQ(heard, 0);
}

TEST(BusMessages, AnOverflowBecomesOneResyncOfEveryInstance) {
  BusMessages sender;
  BusMessages receiver;
  int resyncs = 0;
  int heard = 0;
  receiver.on_resync([&] { ++resyncs; });
  receiver.subscribe("t", [&](const boost::json::value&) { ++heard; });
  bool wake = false;
  for (std::size_t i = 0; i <= BusMessages::kMaxQueued; ++i)
    ASSERT_TRUE(sender.queue("t", "0", wake));
  const std::vector<std::string> payloads = sender.take_payloads();
  ASSERT_EQ(payloads.size(), 1u);
  receiver.dispatch(payloads[0]);
  EXPECT_EQ(resyncs, 1);
  EXPECT_EQ(heard, 0);
}

TEST(BusMessages, AFailingHandlerOrAMalformedPayloadStopsNothing) {
  BusMessages sender;
  BusMessages receiver;
  int heard = 0;
  receiver.subscribe("bad", [](const boost::json::value&) { throw std::runtime_error("no"); });
  receiver.subscribe("good", [&](const boost::json::value&) { ++heard; });
  bool wake = false;
  ASSERT_TRUE(sender.queue("bad", "1", wake));
  ASSERT_TRUE(sender.queue("good", "2", wake));
  receiver.dispatch("not json");
  receiver.dispatch("{\"i\":5}");
  for (const std::string& payload : sender.take_payloads()) receiver.dispatch(payload);
  EXPECT_EQ(heard, 1);
}

TEST(ReconnectBackoff, DoublesFromTheFirstDelayToTheCapWithAtMostHalfAsJitter) {
  ReconnectBackoff backoff;
  std::chrono::milliseconds base = ReconnectBackoff::kFirst;
  for (int attempt = 0; attempt < 8; ++attempt) {
    const std::chrono::milliseconds delay = backoff.next();
    EXPECT_GE(delay, base);
    EXPECT_LE(delay, base + base / 2);
    base = std::min(base * 2, ReconnectBackoff::kMax);
  }
  backoff.reset();
  EXPECT_LE(backoff.next(), ReconnectBackoff::kFirst + ReconnectBackoff::kFirst / 2);
}

}  // namespace
}  // namespace basalt::cluster
