#include "basalt/http/dispatcher.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <stdexcept>

#include "basalt/core/api_error.hpp"
#include "basalt/http/request_message.hpp"

namespace basalt::http {
namespace {

namespace beast_http = boost::beast::http;

int record_handler_runs = 0;  // how often /record ran (the tests run on one thread)

Router test_router() {
  return Router({
      {Method::kGet, "/record",
       [](Request&, Response& response) -> boost::asio::awaitable<void> {
         ++record_handler_runs;
         response.json(200, R"({"id":"r1","secret":"s","title":"<p>Hello world</p>"})");
         co_return;
       }},
      {Method::kGet, "/list",
       [](Request&, Response& response) -> boost::asio::awaitable<void> {
         response.json_list(200, R"({"items":[{"id":"a","n":1},{"id":"b","n":2}],"page":1,)"
                                 R"("perPage":30,"totalItems":2,"totalPages":1})");
         co_return;
       }},
      {Method::kGet, "/created",
       [](Request&, Response& response) -> boost::asio::awaitable<void> {
         response.json(201, R"({"id":"r2","n":1})");
         co_return;
       }},
      {Method::kGet, "/boom",
       [](Request&, Response& response) -> boost::asio::awaitable<void> {
         response.add_header("X-Partial", "1");  // must not leak into the error response
         throw std::runtime_error("secret internal detail");
         co_return;
       }},
      {Method::kGet, "/forbidden",
       [](Request&, Response&) -> boost::asio::awaitable<void> {
         throw core::ApiError::forbidden();
         co_return;
       }},
      {Method::kGet, "/big",
       [](Request&, Response& response) -> boost::asio::awaitable<void> {
         response.json(200, "[" + std::string(4000, ' ') + "]");
         co_return;
       }},
      {Method::kGet, "/echo/{name}",
       [](Request& request, Response& response) -> boost::asio::awaitable<void> {
         response.content(200, "text/plain", request.param("name"));
         co_return;
       }},
  });
}

struct Exchange {
  RequestMessage message;
  std::string remote = "127.0.0.1:1";
  Response response;
  std::string request_id;
};

Exchange run(const Dispatcher& dispatcher, std::string_view target,
             std::vector<std::pair<std::string, std::string>> headers = {}) {
  Exchange exchange;
  exchange.message.message.method(beast_http::verb::get);
  exchange.message.message.target(target);
  for (const auto& [name, value] : headers) exchange.message.message.set(name, value);
  boost::asio::io_context context;
  auto done = boost::asio::co_spawn(
      context,
      [&]() -> boost::asio::awaitable<void> {
        Request request(exchange.message, exchange.remote);
        co_await dispatcher.handle(request, exchange.response);
        exchange.request_id = request.request_id();
      },
      boost::asio::use_future);
  context.run();
  done.get();
  return exchange;
}

class DispatcherTest : public ::testing::Test {
 protected:
  Dispatcher dispatcher_{test_router(), CorsPolicy({"*"}), 1024};
};

TEST_F(DispatcherTest, UnexpectedExceptionBecomesGeneric500) {
  Exchange exchange = run(dispatcher_, "/boom");
  EXPECT_EQ(exchange.response.status(), 500);
  EXPECT_EQ(
      exchange.response.body(),
      R"({"data":{},"message":"Something went wrong while processing your request.","status":500})");
  EXPECT_EQ(exchange.response.body().find("secret"), std::string::npos);
  EXPECT_TRUE(exchange.response.header("X-Partial").empty());
}

TEST_F(DispatcherTest, ApiErrorBecomesItsErrorJson) {
  Exchange exchange = run(dispatcher_, "/forbidden");
  EXPECT_EQ(exchange.response.status(), 403);
  auto body = boost::json::parse(exchange.response.body()).as_object();
  EXPECT_EQ(body.at("message").as_string(), "You are not allowed to perform this request.");
}

TEST_F(DispatcherTest, ErrorResponsesStillCarryCorsHeaders) {
  Exchange exchange = run(dispatcher_, "/forbidden", {{"Origin", "https://a.example"}});
  EXPECT_EQ(exchange.response.header("Access-Control-Allow-Origin"), "*");
}

TEST_F(DispatcherTest, GeneratesOrKeepsRequestId) {
  EXPECT_EQ(run(dispatcher_, "/big").request_id.size(), 20u);
  EXPECT_EQ(run(dispatcher_, "/big", {{"X-Request-Id", "abc-1"}}).request_id, "abc-1");
}

TEST_F(DispatcherTest, GzipOnlyWhenAcceptedAndLargeEnough) {
  EXPECT_TRUE(run(dispatcher_, "/big").response.header("Content-Encoding").empty());
  Exchange zipped = run(dispatcher_, "/big", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(zipped.response.header("Content-Encoding"), "gzip");
  EXPECT_LT(zipped.response.body().size(), 100u);
  Exchange small = run(dispatcher_, "/forbidden", {{"Accept-Encoding", "gzip"}});
  EXPECT_TRUE(small.response.header("Content-Encoding").empty());
}

TEST_F(DispatcherTest, FieldsProjectSuccessfulJson) {
  EXPECT_EQ(run(dispatcher_, "/record?fields=id,title").response.body(),
            R"({"id":"r1","title":"<p>Hello world</p>"})");
  EXPECT_EQ(run(dispatcher_, "/created?fields=n").response.body(), R"({"n":1})");
  // Percent-encoded as the SDK sends it; `+` is a space too.
  EXPECT_EQ(run(dispatcher_, "/record?fields=id%2Ctitle%3Aexcerpt(5%2C%20true)").response.body(),
            R"({"id":"r1","title":"Hello..."})");
  EXPECT_EQ(run(dispatcher_, "/record?fields=title:excerpt(5,+true)").response.body(),
            R"({"title":"Hello..."})");
  // No parameter or an empty one: the body as the handler wrote it.
  EXPECT_EQ(run(dispatcher_, "/record?fields=").response.body(),
            R"({"id":"r1","secret":"s","title":"<p>Hello world</p>"})");
}

TEST_F(DispatcherTest, FieldsProjectEachItemOfAListEnvelope) {
  EXPECT_EQ(run(dispatcher_, "/list?fields=id").response.body(),
            R"({"items":[{"id":"a"},{"id":"b"}],"page":1,"perPage":30,"totalItems":2,)"
            R"("totalPages":1})");
}

TEST_F(DispatcherTest, FieldsLeaveErrorsAndOtherContentAlone) {
  Exchange error = run(dispatcher_, "/forbidden?fields=status");
  EXPECT_EQ(error.response.status(), 403);
  EXPECT_EQ(error.response.body(),
            R"({"data":{},"message":"You are not allowed to perform this request.","status":403})");
  EXPECT_EQ(run(dispatcher_, "/echo/x?fields=id").response.body(), "x");
  EXPECT_EQ(run(dispatcher_, "/nothing?fields=id").response.status(), 404);
}

TEST_F(DispatcherTest, InvalidFieldsAre400BeforeTheHandlerRuns) {
  const int runs = record_handler_runs;
  Exchange exchange = run(dispatcher_, "/record?fields=title:excerpt(0)");
  EXPECT_EQ(exchange.response.status(), 400);
  EXPECT_EQ(
      exchange.response.body(),
      R"({"data":{},"message":"Something went wrong while processing your request.","status":400})");
  EXPECT_EQ(record_handler_runs, runs);
  EXPECT_EQ(run(dispatcher_, "/record?fields=title:nope()").response.status(), 400);
  EXPECT_EQ(run(dispatcher_, "/record?fields=a(").response.status(), 400);
}

TEST_F(DispatcherTest, ProjectionHappensBeforeGzip) {
  Exchange zipped = run(dispatcher_, "/big?fields=x", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(zipped.response.header("Content-Encoding"), "gzip");  // an array of no objects
}

TEST_F(DispatcherTest, PathParametersReachTheHandler) {
  EXPECT_EQ(run(dispatcher_, "/echo/a%2Fb?x=1").response.body(), "a/b");
}

}  // namespace
}  // namespace basalt::http
