// A remote body (FileBody with a ChunkReader, how S3 objects are served) through a real
// http::Server on loopback: the whole body arrives in the reader's chunks, the connection
// serves its next request after it (keep-alive, pipelining), HEAD sends the header only, a
// range starts at its offset, and a reader that comes up short closes the connection instead of
// leaving a cut response on it (file_body.hpp, invariants). The sendfile path runs through the
// binary in tests/integration/files_serving_test.cpp; the same for remote objects without an S3
// server lives here.
#include "basalt/http/file_body.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>

#include "basalt/http/access_log.hpp"
#include "basalt/http/dispatcher.hpp"
#include "basalt/http/server.hpp"
#include "http_client.hpp"

namespace basalt::http {
namespace {

using basalt::testing::RawConnection;

std::string random_bytes(std::size_t size) {
  std::mt19937 random(7);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(random() & 0xff);
  return out;
}

// Larger than several chunks of the connection's buffer, and not a multiple of any.
const std::string kObject = random_bytes(3 * 1024 * 1024 + 17);
constexpr std::size_t kReaderChunk = 100 * 1000;  // what the "remote" hands out per read

// Bytes [offset, offset + max) of kObject, at most kReaderChunk of them; `cut` bytes are
// missing from the end, as from an object that shrank while served.
ChunkReader reader(std::uint64_t cut = 0) {
  return [cut](std::uint64_t offset, std::size_t max) -> boost::asio::awaitable<std::string> {
    const std::uint64_t end = kObject.size() - cut;
    if (offset >= end) co_return std::string();
    co_return kObject.substr(offset, std::min<std::uint64_t>({max, kReaderChunk, end - offset}));
  };
}

Router routes() {
  auto serve = [](std::uint64_t offset, std::uint64_t length, std::uint64_t cut) {
    return [=](Request&, Response& response) -> boost::asio::awaitable<void> {
      FileBody body;
      body.offset = offset;
      body.length = length;
      body.read = reader(cut);
      response.file(offset == 0 && length == kObject.size() ? 200 : 206, "application/octet-stream",
                    std::move(body));
      co_return;
    };
  };
  return Router({
      {Method::kGet, "/object", serve(0, kObject.size(), 0)},
      {Method::kGet, "/part", serve(1000, 1000, 0)},
      {Method::kGet, "/shrunk", serve(0, kObject.size(), 5000)},
      {Method::kGet, "/health",
       [](Request&, Response& response) -> boost::asio::awaitable<void> {
         response.json(200, R"({"ok":true})");
         co_return;
       }},
  });
}

class RemoteFileBodyTest : public ::testing::Test {
 protected:
  RemoteFileBodyTest()
      : access_log_(false, core::LogFormat::kText),
        dispatcher_(routes(), CorsPolicy(std::vector<std::string>{}), 1 << 20),
        server_({"127.0.0.1", 0, 2, limits()}, dispatcher_, access_log_) {
    server_.start();
  }
  ~RemoteFileBodyTest() override { server_.shutdown(std::chrono::milliseconds(2000)); }

  static core::HttpLimits limits() {
    core::HttpLimits limits;
    limits.max_header_bytes = 16 * 1024;
    limits.max_body_bytes = 1 << 20;
    limits.max_upload_body_bytes = 1 << 20;
    limits.header_timeout = std::chrono::seconds(10);
    limits.body_timeout = std::chrono::seconds(10);
    limits.idle_timeout = std::chrono::seconds(10);
    limits.write_timeout = std::chrono::seconds(10);
    limits.max_connections = 100;
    return limits;
  }

  static std::string get(std::string_view path) {
    return "GET " + std::string(path) + " HTTP/1.1\r\nHost: t\r\n\r\n";
  }

  AccessLog access_log_;
  Dispatcher dispatcher_;
  Server server_;
};

TEST_F(RemoteFileBodyTest, WholeBodiesArriveAndTheConnectionIsReused) {
  RawConnection connection(server_.port());
  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(connection.send(get("/object")));
    auto response = connection.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->header("content-length"), std::to_string(kObject.size()));
    ASSERT_EQ(response->body.size(), kObject.size());
    EXPECT_TRUE(response->body == kObject);
  }
  ASSERT_TRUE(connection.send(get("/health")));
  auto health = connection.read_response();
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST_F(RemoteFileBodyTest, PipelinedResponsesLeaveInOrder) {
  RawConnection connection(server_.port());
  ASSERT_TRUE(connection.send(get("/part") + get("/object") + get("/health") + get("/part")));
  auto first = connection.read_response();
  auto second = connection.read_response();
  auto third = connection.read_response();
  auto fourth = connection.read_response();
  ASSERT_TRUE(first && second && third && fourth);
  EXPECT_EQ(first->status, 206);
  EXPECT_TRUE(first->body == kObject.substr(1000, 1000));
  EXPECT_TRUE(second->body == kObject);
  EXPECT_EQ(third->header("content-type"), "application/json");
  EXPECT_TRUE(fourth->body == kObject.substr(1000, 1000));
}

TEST_F(RemoteFileBodyTest, HeadSendsTheHeaderOnly) {
  RawConnection connection(server_.port());
  ASSERT_TRUE(connection.send("HEAD /object HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto head = connection.read_response(/*head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-length"), std::to_string(kObject.size()));
  EXPECT_TRUE(head->body.empty());
  // The next response starts right after the header.
  ASSERT_TRUE(connection.send(get("/part")));
  auto next = connection.read_response();
  ASSERT_TRUE(next);
  EXPECT_TRUE(next->body == kObject.substr(1000, 1000));
}

TEST_F(RemoteFileBodyTest, AShortBodyClosesTheConnection) {
  RawConnection connection(server_.port());
  ASSERT_TRUE(connection.send(get("/shrunk") + get("/health")));
  // The header promised the whole object; what came is less, then the close: never a complete
  // response, and the pipelined request is not answered on the broken connection.
  EXPECT_FALSE(connection.read_response());
  EXPECT_TRUE(connection.wait_closed());
}

}  // namespace
}  // namespace basalt::http
