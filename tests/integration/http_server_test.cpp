// Black-box tests of the HTTP server: the real binary, real sockets on loopback.
#include <gtest/gtest.h>
#include <zlib.h>

#include <boost/json/parse.hpp>
#include <csignal>
#include <memory>

#include "http_client.hpp"
#include "server_process.hpp"

namespace basalt::testing {
namespace {

constexpr std::string_view kHealthBody = R"({"message":"API is healthy.","code":200,"data":{}})";
constexpr std::string_view kGetHealth = "GET /api/health HTTP/1.1\r\nHost: t\r\n\r\n";

boost::json::object json_object(const std::string& body) {
  return boost::json::parse(body).as_object();
}

void expect_error_body(const HttpResponse& response, int status) {
  EXPECT_EQ(response.status, status);
  EXPECT_EQ(response.header("content-type"), "application/json");
  auto body = json_object(response.body);
  EXPECT_EQ(body.at("status").as_int64(), status);
  EXPECT_FALSE(body.at("message").as_string().empty());
  EXPECT_TRUE(body.at("data").as_object().empty());
}

class HttpServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ServerProcess({"--threads", "2"}); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static int port() { return server_->port(); }
  static ServerProcess* server_;
};
ServerProcess* HttpServerTest::server_ = nullptr;

TEST_F(HttpServerTest, HealthAnswersTheContractBody) {
  auto response = request(port(), kGetHealth);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, kHealthBody);
  EXPECT_EQ(response->header("content-type"), "application/json");
  EXPECT_EQ(response->header("x-request-id").size(), 20u);
  EXPECT_FALSE(response->header("date").empty());
}

TEST_F(HttpServerTest, WellFormedRequestIdIsEchoedAndBadOneReplaced) {
  auto kept = request(port(), "GET /api/health HTTP/1.1\r\nX-Request-Id: trace-42\r\n\r\n");
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->header("x-request-id"), "trace-42");
  auto replaced = request(port(), "GET /api/health HTTP/1.1\r\nX-Request-Id: a b\"c\r\n\r\n");
  ASSERT_TRUE(replaced);
  EXPECT_EQ(replaced->header("x-request-id").size(), 20u);
}

TEST_F(HttpServerTest, UnknownPathIs404InErrorJson) {
  auto response = request(port(), "GET /api/nope HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(response);
  expect_error_body(*response, 404);
  EXPECT_EQ(json_object(response->body).at("message").as_string(),
            "The requested resource wasn't found.");
}

TEST_F(HttpServerTest, TrailingSlashIsADifferentPath) {
  auto response = request(port(), "GET /api/health/ HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
}

TEST_F(HttpServerTest, WrongMethodIs405WithAllow) {
  auto response = request(port(), "DELETE /api/health HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(response);
  expect_error_body(*response, 405);
  EXPECT_EQ(response->header("allow"), "GET, HEAD");
}

TEST_F(HttpServerTest, HeadSendsHeadersWithoutBodyAndKeepsTheConnection) {
  RawConnection connection(port());
  ASSERT_TRUE(connection.send("HEAD /api/health HTTP/1.1\r\n\r\n"));
  auto head = connection.read_response(/*head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-length"), std::to_string(kHealthBody.size()));
  // Had a body been sent, it would now be read as the next response's status line.
  ASSERT_TRUE(connection.send(kGetHealth));
  auto get = connection.read_response();
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->body, kHealthBody);
}

TEST_F(HttpServerTest, ConnectionCloseIsHonoured) {
  RawConnection connection(port());
  ASSERT_TRUE(connection.send("GET /api/health HTTP/1.1\r\nConnection: close\r\n\r\n"));
  auto response = connection.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->header("connection"), "close");
  EXPECT_TRUE(connection.wait_closed());
}

TEST_F(HttpServerTest, HundredPipelinedRequestsAreAnsweredInOrder) {
  RawConnection connection(port());
  std::string batch;
  for (int i = 0; i < 100; ++i) {
    // Alternate a 200 and a 404 so that an out-of-order answer cannot go unnoticed.
    batch += i % 2 == 0 ? "GET /api/health" : "GET /api/missing";
    batch += " HTTP/1.1\r\nX-Request-Id: p" + std::to_string(i) + "\r\n\r\n";
  }
  ASSERT_TRUE(connection.send(batch));
  for (int i = 0; i < 100; ++i) {
    auto response = connection.read_response();
    ASSERT_TRUE(response) << "response " << i;
    EXPECT_EQ(response->header("x-request-id"), "p" + std::to_string(i));
    EXPECT_EQ(response->status, i % 2 == 0 ? 200 : 404);
  }
}

TEST_F(HttpServerTest, OversizedHeadersAre431) {
  RawConnection connection(port());
  std::string big =
      "GET /api/health HTTP/1.1\r\nX-Big: " + std::string(20 * 1024, 'a') + "\r\n\r\n";
  connection.send(big);
  auto response = connection.read_response();
  ASSERT_TRUE(response);
  expect_error_body(*response, 431);
  EXPECT_EQ(response->header("connection"), "close");
}

TEST_F(HttpServerTest, HugeContentLengthIs413BeforeAnyBodyIsSent) {
  auto response =
      request(port(), "POST /api/health HTTP/1.1\r\nContent-Length: 1073741824\r\n\r\n");
  ASSERT_TRUE(response);
  expect_error_body(*response, 413);
}

TEST_F(HttpServerTest, ChunkedBodyIsReadAndTheConnectionStaysUsable) {
  RawConnection connection(port());
  ASSERT_TRUE(
      connection.send("POST /api/health HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
  auto post = connection.read_response();
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  ASSERT_TRUE(connection.send(kGetHealth));
  auto get = connection.read_response();
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 200);
}

TEST_F(HttpServerTest, MalformedRequestIs400) {
  auto response = request(port(), "THIS IS NOT HTTP\r\n\r\n");
  ASSERT_TRUE(response);
  expect_error_body(*response, 400);
}

TEST_F(HttpServerTest, CorsHeadersAndPreflight) {
  auto simple = request(port(), "GET /api/health HTTP/1.1\r\nOrigin: https://app.example\r\n\r\n");
  ASSERT_TRUE(simple);
  EXPECT_EQ(simple->header("access-control-allow-origin"), "*");

  auto preflight = request(port(),
                           "OPTIONS /api/collections/x/records HTTP/1.1\r\n"
                           "Origin: https://app.example\r\n"
                           "Access-Control-Request-Method: POST\r\n"
                           "Access-Control-Request-Headers: authorization, content-type\r\n\r\n");
  ASSERT_TRUE(preflight);
  EXPECT_EQ(preflight->status, 204);
  EXPECT_EQ(preflight->header("access-control-allow-origin"), "*");
  EXPECT_NE(preflight->header("access-control-allow-methods").find("POST"), std::string::npos);
  EXPECT_EQ(preflight->header("access-control-allow-headers"), "authorization, content-type");
}

TEST(HttpServerLimitsTest, ChunkedBodyGrowingPastTheLimitIs413) {
  ServerProcess server({"--max-body-bytes", "1KiB"});
  RawConnection connection(server.port());
  ASSERT_TRUE(connection.send("POST /api/health HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"));
  std::string chunk = "200\r\n" + std::string(512, 'x') + "\r\n";
  // 3 x 512 bytes passes 1 KiB; the server may answer and stop reading at any point.
  for (int i = 0; i < 3; ++i) {
    if (!connection.send(chunk)) break;
  }
  auto response = connection.read_response();
  ASSERT_TRUE(response);
  expect_error_body(*response, 413);
}

TEST(HttpServerLimitsTest, BodyWithinTheLimitIsAccepted) {
  ServerProcess server({"--max-body-bytes", "1KiB"});
  auto response =
      request(server.port(),
              "POST /api/health HTTP/1.1\r\nContent-Length: 1024\r\n\r\n" + std::string(1024, 'x'));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 405);
}

TEST(HttpServerLimitsTest, SlowHeaderClientIsDisconnectedWhileOthersAreServed) {
  ServerProcess server({"--header-timeout", "300ms", "--threads", "1"});
  RawConnection slow(server.port());
  ASSERT_TRUE(slow.send("GET /api/health HTTP/1.1\r\nX-Slow: "));
  // Served on the same (only) worker thread while the slow client holds its connection.
  auto fast = request(server.port(), kGetHealth);
  ASSERT_TRUE(fast);
  EXPECT_EQ(fast->status, 200);
  EXPECT_TRUE(slow.wait_closed());
}

TEST(HttpServerLimitsTest, ConnectionsPastTheLimitGet503WithRetryAfter) {
  ServerProcess server({"--max-connections", "2"});
  RawConnection first(server.port());
  RawConnection second(server.port());
  for (auto* c : {&first, &second}) {
    ASSERT_TRUE(c->send(kGetHealth));
    auto ok = c->read_response();
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200);
  }
  auto rejected = request(server.port(), kGetHealth);
  ASSERT_TRUE(rejected);
  expect_error_body(*rejected, 503);
  EXPECT_EQ(rejected->header("retry-after"), "1");
}

TEST(HttpServerLimitsTest, GzipForJsonWhenAcceptedAndLargeEnough) {
  ServerProcess server({"--gzip-min-bytes", "16"});
  auto plain = request(server.port(), kGetHealth);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->header("content-encoding"), "");
  auto zipped =
      request(server.port(), "GET /api/health HTTP/1.1\r\nAccept-Encoding: gzip, br\r\n\r\n");
  ASSERT_TRUE(zipped);
  EXPECT_EQ(zipped->header("content-encoding"), "gzip");
  EXPECT_NE(zipped->header("vary").find("Accept-Encoding"), std::string::npos);
  z_stream stream{};
  ASSERT_EQ(inflateInit2(&stream, 15 + 16), Z_OK);
  std::string out(4096, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(zipped->body.data());
  stream.avail_in = static_cast<uInt>(zipped->body.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  inflateEnd(&stream);
  EXPECT_EQ(out, kHealthBody);
}

TEST(HttpServerLimitsTest, CorsRestrictedToConfiguredOrigins) {
  ServerProcess server({"--cors-origins", "https://good.example"});
  auto good =
      request(server.port(), "GET /api/health HTTP/1.1\r\nOrigin: https://good.example\r\n\r\n");
  ASSERT_TRUE(good);
  EXPECT_EQ(good->header("access-control-allow-origin"), "https://good.example");
  EXPECT_EQ(good->header("vary"), "Origin");
  auto bad =
      request(server.port(), "GET /api/health HTTP/1.1\r\nOrigin: https://evil.example\r\n\r\n");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->header("access-control-allow-origin"), "");
}

TEST(HttpServerShutdownTest, SigtermLetsTheInFlightRequestFinishThenExitsZero) {
  ServerProcess server({"--threads", "2"});
  RawConnection idle(server.port());
  ASSERT_TRUE(idle.send(kGetHealth));
  ASSERT_TRUE(idle.read_response());  // now an idle keep-alive connection

  // `100 Continue` proves the server has parsed the header and is now reading the body.
  RawConnection in_flight(server.port());
  ASSERT_TRUE(in_flight.send(
      "POST /api/missing HTTP/1.1\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = in_flight.read_response();
  ASSERT_TRUE(interim);
  ASSERT_EQ(interim->status, 100);
  ASSERT_TRUE(in_flight.send("12345"));

  server.signal(SIGTERM);
  // The listeners close when the drain starts; wait for that, so the rest of the body surely
  // arrives during the shutdown. Each attempt is an immediate refusal or a connection.
  bool draining = false;
  for (int attempt = 0; attempt < 100000 && !draining; ++attempt)
    draining = connect_refused(server.port());
  ASSERT_TRUE(draining);

  EXPECT_TRUE(idle.wait_closed());
  ASSERT_TRUE(in_flight.send("67890"));
  auto response = in_flight.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->header("connection"), "close");
  EXPECT_EQ(server.wait_exit(), 0);
}

TEST(HttpServerLogTest, AccessLogIsOneJsonObjectPerRequest) {
  ServerProcess server({"--log-format", "json"});
  auto response =
      request(server.port(), "GET /api/health?secret=1 HTTP/1.1\r\nX-Request-Id: log-1\r\n\r\n");
  ASSERT_TRUE(response);
  server.signal(SIGTERM);
  ASSERT_EQ(server.wait_exit(), 0);  // flushes the asynchronous access log
  bool found = false;
  std::string text = server.stderr_text();
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    std::string line = text.substr(start, end - start);
    start = end == std::string::npos ? text.size() : end + 1;
    auto object = json_object(line);  // every stderr line is JSON in this format
    if (!object.contains("type") || object.at("type").as_string() != "access") continue;
    found = true;
    EXPECT_EQ(object.at("method").as_string(), "GET");
    EXPECT_EQ(object.at("path").as_string(), "/api/health");  // no query string
    EXPECT_EQ(object.at("status").as_int64(), 200);
    EXPECT_EQ(object.at("bytes").as_int64(), static_cast<std::int64_t>(kHealthBody.size()));
    EXPECT_GE(object.at("duration_us").as_int64(), 0);
    EXPECT_EQ(object.at("request_id").as_string(), "log-1");
    EXPECT_EQ(object.at("remote").as_string().subview().substr(0, 10), "127.0.0.1:");
    EXPECT_TRUE(object.contains("time"));
  }
  EXPECT_TRUE(found) << text;
}

}  // namespace
}  // namespace basalt::testing
