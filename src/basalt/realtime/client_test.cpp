// Client: message bytes, writes of a pass's pieces straight to the socket, what is held when
// the kernel does not take everything, and the send bound. Over a real loopback socket pair.
#include "basalt/realtime/client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace basalt::realtime {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

struct ClientSocketPair {
  asio::io_context context;
  tcp::socket server{context};
  tcp::socket peer{context};

  ClientSocketPair() {
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

std::shared_ptr<Client> make_test_client(ClientSocketPair& pair, std::size_t limit) {
  return std::make_shared<Client>("c1", "127.0.0.1", pair.server, limit, Client::Clock::now());
}

iovec piece_of(const std::string& bytes) {
  return {const_cast<char*>(bytes.data()), bytes.size()};
}

TEST(RealtimeClient, PrefixAndMessageBytes) {
  ClientSocketPair pair;
  auto client = make_test_client(pair, 1024);
  EXPECT_EQ(client->message_prefix("posts/*"), "id:c1\nevent:posts/*\ndata:");
  client->send("posts/*", "{}");
  const std::string expected = "id:c1\nevent:posts/*\ndata:{}\n\n";
  EXPECT_EQ(pair.read_exactly(expected.size()), expected);
  EXPECT_EQ(client->held_bytes(), 0u);
}

TEST(RealtimeClient, APassWritesEveryMessageInOrderAndHoldsNothing) {
  ClientSocketPair pair;
  auto client = make_test_client(pair, 1024);
  const std::string prefix = client->message_prefix("e");
  const std::string one = "1\n\n", two = "2\n\n", three = "3\n\n";
  const std::vector<iovec> pieces = {piece_of(prefix), piece_of(one),    piece_of(prefix),
                                     piece_of(two),    piece_of(prefix), piece_of(three)};
  client->write(pieces, 22, Client::Clock::now());
  EXPECT_FALSE(client->writing());
  EXPECT_EQ(client->held_bytes(), 0u);
  EXPECT_EQ(pair.read_exactly(3 * 22),
            "id:c1\nevent:e\ndata:1\n\n"
            "id:c1\nevent:e\ndata:2\n\n"
            "id:c1\nevent:e\ndata:3\n\n");
}

TEST(RealtimeClient, WhatTheKernelDoesNotTakeIsHeldAndWrittenInOrder) {
  ClientSocketPair pair;
  // Small socket buffers on both sides, so the kernel soon stops taking bytes.
  pair.server.set_option(asio::socket_base::send_buffer_size(4096));
  pair.peer.set_option(asio::socket_base::receive_buffer_size(4096));
  auto client = make_test_client(pair, 8 << 20);
  const std::string prefix = client->message_prefix("e");
  std::string expected;
  int messages = 0;
  while (client->held_bytes() == 0 && messages < 10'000) {
    const std::string data = std::to_string(messages++) + std::string(1000, 'x') + "\n\n";
    const std::vector<iovec> pieces = {piece_of(prefix), piece_of(data)};
    client->write(pieces, prefix.size() + data.size(), Client::Clock::now());
    expected += prefix + data;
  }
  ASSERT_GT(client->held_bytes(), 0u);
  ASSERT_TRUE(client->writing());
  // Queued behind the write in flight, never around it.
  const std::string last = "last\n\n";
  const std::vector<iovec> more = {piece_of(prefix), piece_of(last)};
  client->write(more, prefix.size() + last.size(), Client::Clock::now());
  expected += prefix + last;
  std::string received(expected.size(), '\0');
  asio::async_read(pair.peer, asio::buffer(received),
                   [](boost::system::error_code, std::size_t) {});
  pair.context.run();
  EXPECT_EQ(received, expected);
  EXPECT_FALSE(client->writing());
  EXPECT_EQ(client->held_bytes(), 0u);
  EXPECT_FALSE(client->closed());
}

TEST(RealtimeClient, AMessageBiggerThanTheBoundClosesTheClient) {
  ClientSocketPair pair;
  auto client = make_test_client(pair, 40);
  const std::string prefix = client->message_prefix("e");
  ASSERT_EQ(prefix.size(), 19u);
  const std::string fits(21, 'x');  // 40 bytes in all: at the bound
  const std::string big(22, 'x');   // 41
  const std::vector<iovec> first = {piece_of(prefix), piece_of(fits)};
  client->write(first, prefix.size() + fits.size(), Client::Clock::now());
  EXPECT_FALSE(client->closed());
  const std::vector<iovec> second = {piece_of(prefix), piece_of(big)};
  client->write(second, prefix.size() + big.size(), Client::Clock::now());
  EXPECT_TRUE(client->closed());
}

TEST(RealtimeClient, HoldingMoreThanTheBoundClosesTheClient) {
  ClientSocketPair pair;
  pair.server.set_option(asio::socket_base::send_buffer_size(4096));
  pair.peer.set_option(asio::socket_base::receive_buffer_size(4096));
  auto client = make_test_client(pair, 64 << 10);
  const std::string prefix = client->message_prefix("e");
  const std::string data = std::string(8000, 'x') + "\n\n";
  const std::vector<iovec> pieces = {piece_of(prefix), piece_of(data)};
  // Nobody reads: the kernel fills up, then the held bytes pass 64 KiB.
  for (int i = 0; i < 1000 && !client->closed(); ++i) {
    client->write(pieces, prefix.size() + data.size(), Client::Clock::now());
    EXPECT_LE(client->held_bytes(), 64u << 10);
  }
  EXPECT_TRUE(client->closed());
  pair.context.run();
}

}  // namespace
}  // namespace basalt::realtime
