// Client: message bytes, flush scheduling under realtime-flush-interval, and the send bound
// counting what the server holds. Over a real loopback socket pair.
#include "basalt/realtime/client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <chrono>
#include <memory>
#include <string>

namespace basalt::realtime {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

struct SocketPair {
  asio::io_context context;
  tcp::socket server{context};
  tcp::socket peer{context};

  SocketPair() {
    tcp::acceptor acceptor(context, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    peer.connect(acceptor.local_endpoint());
    acceptor.accept(server);
  }

  std::string read_exactly(std::size_t size) {
    std::string bytes(size, '\0');
    asio::read(peer, asio::buffer(bytes));
    return bytes;
  }
};

std::shared_ptr<Client> make_client(SocketPair& pair, std::size_t limit,
                                    Client::Clock::duration interval) {
  return std::make_shared<Client>("c1", "127.0.0.1", pair.server, limit, interval,
                                  Client::Clock::now());
}

TEST(RealtimeClient, PrefixAndMessageBytes) {
  SocketPair pair;
  auto client = make_client(pair, 1024, 0ms);
  EXPECT_EQ(client->message_prefix("posts/*"), "id:c1\nevent:posts/*\ndata:");
  client->send("posts/*", "{}");
  pair.context.run();
  const std::string expected = "id:c1\nevent:posts/*\ndata:{}\n\n";
  EXPECT_EQ(pair.read_exactly(expected.size()), expected);
}

TEST(RealtimeClient, AFirstMessageIsDueAtOnceAndOneRightAfterAWriteWaitsForTheInterval) {
  SocketPair pair;
  auto client = make_client(pair, 1024, 1h);
  const std::string prefix = client->message_prefix("e");
  const auto now = Client::Clock::now();
  EXPECT_EQ(client->queue(prefix, "1", now), FlushDue::kNow);
  EXPECT_EQ(client->queue(prefix, "2", now), FlushDue::kNone);  // rides along
  client->flush();
  pair.context.run();
  // Written within the interval: the next batch is arranged for its end.
  EXPECT_EQ(client->queue(prefix, "3", now), FlushDue::kLater);
  EXPECT_EQ(client->queue(prefix, "4", now), FlushDue::kNone);
  // Past the interval (as the registry's deferred flush sees it) one write takes both.
  client->flush();
  pair.context.restart();
  pair.context.run();
  const std::string one = "id:c1\nevent:e\ndata:1\n\n";
  EXPECT_EQ(pair.read_exactly(4 * one.size()), one + "id:c1\nevent:e\ndata:2\n\n" +
                                                   "id:c1\nevent:e\ndata:3\n\n" +
                                                   "id:c1\nevent:e\ndata:4\n\n");
}

TEST(RealtimeClient, WithoutAnIntervalEveryBatchIsDueAtOnce) {
  SocketPair pair;
  auto client = make_client(pair, 1024, 0ms);
  const std::string prefix = client->message_prefix("e");
  EXPECT_EQ(client->queue(prefix, "1", Client::Clock::now()), FlushDue::kNow);
  client->flush();
  pair.context.run();
  EXPECT_EQ(client->queue(prefix, "2", Client::Clock::now()), FlushDue::kNow);
}

TEST(RealtimeClient, AFlushDuringAWriteIsWrittenByItsCompletion) {
  SocketPair pair;
  auto client = make_client(pair, 1024, 0ms);
  const std::string prefix = client->message_prefix("e");
  client->queue(prefix, "1", Client::Clock::now());
  client->flush();
  ASSERT_TRUE(client->writing());
  EXPECT_EQ(client->queue(prefix, "2", Client::Clock::now()), FlushDue::kNow);
  client->flush();  // a write is in flight: its completion takes "2"
  pair.context.run();
  EXPECT_FALSE(client->writing());
  EXPECT_EQ(client->held_bytes(), 0u);
  EXPECT_EQ(pair.read_exactly(44), "id:c1\nevent:e\ndata:1\n\nid:c1\nevent:e\ndata:2\n\n");
}

TEST(RealtimeClient, TheSendBoundCountsTheWriteInFlight) {
  SocketPair pair;
  auto client = make_client(pair, 60, 0ms);  // room for two 22-byte messages, not three
  const std::string prefix = client->message_prefix("e");
  client->queue(prefix, "1", Client::Clock::now());
  client->flush();  // handed to a write whose completion has not run: still held
  ASSERT_EQ(client->held_bytes(), 22u);
  client->queue(prefix, "2", Client::Clock::now());
  EXPECT_FALSE(client->closed());
  EXPECT_EQ(client->queue(prefix, "3", Client::Clock::now()), FlushDue::kNone);
  EXPECT_TRUE(client->closed());
  pair.context.run();
}

}  // namespace
}  // namespace basalt::realtime
