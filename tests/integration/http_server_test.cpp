// Black-box tests of the HTTP server: the real binary, real sockets on loopback.
#include <gtest/gtest.h>
#include <zlib.h>

#include <boost/json/parse.hpp>
#include <csignal>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

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
  auto kept =
      request(port(), "GET /api/health HTTP/1.1\r\nHost: t\r\nX-Request-Id: trace-42\r\n\r\n");
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->header("x-request-id"), "trace-42");
  auto replaced =
      request(port(), "GET /api/health HTTP/1.1\r\nHost: t\r\nX-Request-Id: a b\"c\r\n\r\n");
  ASSERT_TRUE(replaced);
  EXPECT_EQ(replaced->header("x-request-id").size(), 20u);
}

TEST_F(HttpServerTest, UnknownPathIs404InErrorJson) {
  auto response = request(port(), "GET /api/nope HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(response);
  expect_error_body(*response, 404);
  EXPECT_EQ(json_object(response->body).at("message").as_string(),
            "The requested resource wasn't found.");
}

TEST_F(HttpServerTest, TrailingSlashIsADifferentPath) {
  auto response = request(port(), "GET /api/health/ HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
}

TEST_F(HttpServerTest, WrongMethodIs405WithAllow) {
  auto response = request(port(), "DELETE /api/health HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(response);
  expect_error_body(*response, 405);
  EXPECT_EQ(response->header("allow"), "GET, HEAD");
}

TEST_F(HttpServerTest, HeadSendsHeadersWithoutBodyAndKeepsTheConnection) {
  RawConnection connection(port());
  ASSERT_TRUE(connection.send("HEAD /api/health HTTP/1.1\r\nHost: t\r\n\r\n"));
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
  ASSERT_TRUE(connection.send("GET /api/health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
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
    batch += " HTTP/1.1\r\nHost: t\r\nX-Request-Id: p" + std::to_string(i) + "\r\n\r\n";
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
      "GET /api/health HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(20 * 1024, 'a') + "\r\n\r\n";
  connection.send(big);
  auto response = connection.read_response();
  ASSERT_TRUE(response);
  expect_error_body(*response, 431);
  EXPECT_EQ(response->header("connection"), "close");
}

TEST_F(HttpServerTest, HugeContentLengthIs413BeforeAnyBodyIsSent) {
  auto response =
      request(port(), "POST /api/health HTTP/1.1\r\nHost: t\r\nContent-Length: 1073741824\r\n\r\n");
  ASSERT_TRUE(response);
  expect_error_body(*response, 413);
}

TEST_F(HttpServerTest, ChunkedBodyIsReadAndTheConnectionStaysUsable) {
  RawConnection connection(port());
  ASSERT_TRUE(
      connection.send("POST /api/health HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
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

// A request the server must refuse (`head`, through its blank line) followed on the same
// connection by a second request: the refusal is the only answer, the second request is never
// parsed (so a smuggled request cannot ride in a body the server framed differently).
void expect_refused_then_closed(int port, const std::string& head) {
  RawConnection connection(port);
  ASSERT_TRUE(connection.send(head + std::string(kGetHealth)));
  auto refused = connection.read_response();
  ASSERT_TRUE(refused) << head;
  expect_error_body(*refused, 400);
  EXPECT_EQ(refused->header("connection"), "close") << head;
  EXPECT_FALSE(connection.read_response()) << "the smuggled request was answered: " << head;
}

TEST_F(HttpServerTest, TransferEncodingOtherThanChunkedIs400AndCloses) {
  for (std::string_view coding :
       {"gzip", "gzip, chunked", "chunked, gzip", "identity", "x-unknown", "chunked;q=1"}) {
    expect_refused_then_closed(port(),
                               "POST /api/health HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: " +
                                   std::string(coding) + "\r\n\r\n");
  }
}

TEST_F(HttpServerTest, RepeatedTransferEncodingIs400AndCloses) {
  expect_refused_then_closed(port(),
                             "POST /api/health HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n"
                             "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  expect_refused_then_closed(
      port(),
      "POST /api/health HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
}

TEST_F(HttpServerTest, TransferEncodingWithContentLengthIs400AndCloses) {
  expect_refused_then_closed(port(),
                             "POST /api/health HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n"
                             "Content-Length: 0\r\n\r\n");
  expect_refused_then_closed(port(),
                             "POST /api/health HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n"
                             "Transfer-Encoding: chunked\r\n\r\n");
  expect_refused_then_closed(
      port(),
      "POST /api/health HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
      "Content-Length: 5\r\n\r\n0\r\n\r\n");
}

TEST_F(HttpServerTest, TransferEncodingInHttp10Is400AndCloses) {
  expect_refused_then_closed(
      port(), "POST /api/health HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
}

TEST_F(HttpServerTest, MissingRepeatedOrMalformedHostIs400AndCloses) {
  expect_refused_then_closed(port(), "GET /api/health HTTP/1.1\r\n\r\n");
  expect_refused_then_closed(port(), "GET /api/health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
  for (std::string_view host : {"a b", "user@evil", "a/b", "a:80:90", "[::1", "a\\b", "a?b"}) {
    expect_refused_then_closed(
        port(), "GET /api/health HTTP/1.1\r\nHost: " + std::string(host) + "\r\n\r\n");
  }
}

TEST_F(HttpServerTest, ValidHostsAndHttp10WithoutHostAreServed) {
  for (std::string_view host : {"example.com", "127.0.0.1:8090", "[::1]:8090", ""}) {
    auto response =
        request(port(), "GET /api/health HTTP/1.1\r\nHost: " + std::string(host) + "\r\n\r\n");
    ASSERT_TRUE(response) << host;
    EXPECT_EQ(response->status, 200) << host;
  }
  auto old = request(port(), "GET /api/health HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->status, 200);
}

TEST_F(HttpServerTest, ObsFoldedHeaderIs400AndCloses) {
  expect_refused_then_closed(port(), "GET /api/health HTTP/1.1\r\nHost: t\r\nX-A: 1\r\n 2\r\n\r\n");
  expect_refused_then_closed(port(),
                             "GET /api/health HTTP/1.1\r\nX-A: 1\r\n\tHost: t\r\nHost: t\r\n\r\n");
}

TEST_F(HttpServerTest, CorsHeadersAndPreflight) {
  auto simple =
      request(port(), "GET /api/health HTTP/1.1\r\nHost: t\r\nOrigin: https://app.example\r\n\r\n");
  ASSERT_TRUE(simple);
  EXPECT_EQ(simple->header("access-control-allow-origin"), "*");

  auto preflight = request(port(),
                           "OPTIONS /api/collections/x/records HTTP/1.1\r\nHost: t\r\n"
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
  ASSERT_TRUE(connection.send(
      "POST /api/health HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"));
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
  auto response = request(server.port(),
                          "POST /api/health HTTP/1.1\r\nHost: t\r\nContent-Length: 1024\r\n\r\n" +
                              std::string(1024, 'x'));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 405);
}

TEST(HttpServerLimitsTest, SlowHeaderClientIsDisconnectedWhileOthersAreServed) {
  ServerProcess server({"--header-timeout", "300ms", "--threads", "1"});
  RawConnection slow(server.port());
  ASSERT_TRUE(slow.send("GET /api/health HTTP/1.1\r\nHost: t\r\nX-Slow: "));
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
  auto zipped = request(server.port(),
                        "GET /api/health HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip, br\r\n\r\n");
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
  auto good = request(
      server.port(), "GET /api/health HTTP/1.1\r\nHost: t\r\nOrigin: https://good.example\r\n\r\n");
  ASSERT_TRUE(good);
  EXPECT_EQ(good->header("access-control-allow-origin"), "https://good.example");
  EXPECT_EQ(good->header("vary"), "Origin");
  auto bad = request(server.port(),
                     "GET /api/health HTTP/1.1\r\nHost: t\r\nOrigin: https://evil.example\r\n\r\n");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->header("access-control-allow-origin"), "");
}

// Sets environment variables for the servers a test starts (children inherit them) and
// removes them when the test ends.
class ScopedEnvironment {
 public:
  explicit ScopedEnvironment(std::vector<std::pair<std::string, std::string>> variables)
      : variables_(std::move(variables)) {
    for (const auto& [name, value] : variables_) setenv(name.c_str(), value.c_str(), 1);
  }
  ~ScopedEnvironment() {
    for (const auto& [name, value] : variables_) unsetenv(name.c_str());
  }
  ScopedEnvironment(const ScopedEnvironment&) = delete;
  ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

 private:
  std::vector<std::pair<std::string, std::string>> variables_;
};

TEST(HttpServerEnvironmentTest, KubernetesServiceVariablesWarnButDoNotStopStartup) {
  ScopedEnvironment kubernetes(
      {{"BASALT_PORT", "tcp://10.0.0.1:8090"}, {"BASALT_SERVICE_HOST", "10.0.0.1"}});
  ServerProcess server;  // throws when the server does not start
  auto health = request(server.port(), kGetHealth);
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  std::string log = server.stderr_text();  // warnings are logged (and flushed) before serving
  EXPECT_NE(log.find("ignoring unknown environment variable BASALT_PORT "), std::string::npos)
      << log;
  EXPECT_NE(log.find("ignoring unknown environment variable BASALT_SERVICE_HOST "),
            std::string::npos)
      << log;
}

TEST(HttpServerShutdownTest, SigtermLetsTheInFlightRequestFinishThenExitsZero) {
  ServerProcess server({"--threads", "2"});
  RawConnection idle(server.port());
  ASSERT_TRUE(idle.send(kGetHealth));
  ASSERT_TRUE(idle.read_response());  // now an idle keep-alive connection

  // `100 Continue` proves the server has parsed the header and is now reading the body.
  RawConnection in_flight(server.port());
  ASSERT_TRUE(
      in_flight.send("POST /api/missing HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\nExpect: "
                     "100-continue\r\n\r\n"));
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
  auto response = request(
      server.port(), "GET /api/health?secret=1 HTTP/1.1\r\nHost: t\r\nX-Request-Id: log-1\r\n\r\n");
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
