// basalt.http.request's C++ side (docs/hooks.md, "Outbound HTTP") against real loopback
// sockets: the call's bounds, a loopback target refused unless private targets are allowed, a
// response past the limit cut, a silent server timed out, and an ordinary exchange.
#include "basalt/scripting/script_http.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <string>
#include <thread>

#include "basalt/core/api_error.hpp"

namespace basalt::scripting {
namespace {

namespace json = boost::json;

// A listening loopback socket; serve() answers one connection with `answer` after reading the
// request head, on a thread of its own. Without serve() nothing is accepted (the kernel still
// completes the handshake, so a client waits for an answer that never comes).
class LoopbackServer {
 public:
  LoopbackServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(fd_, 4);
    socklen_t size = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
  }
  ~LoopbackServer() {
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }

  std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  void serve(std::string answer) {
    thread_ = std::thread([this, answer = std::move(answer)] {
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      std::string head;
      char buffer[4096];
      while (head.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::read(client, buffer, sizeof buffer);
        if (n <= 0) break;
        head.append(buffer, static_cast<std::size_t>(n));
      }
      request_ = head;
      std::size_t sent = 0;
      while (sent < answer.size()) {
        const ssize_t n = ::send(client, answer.data() + sent, answer.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;  // the client cut the transfer
        sent += static_cast<std::size_t>(n);
      }
      ::close(client);
    });
  }

  // The request head the server read (valid after the call returned and serve()'s thread ended).
  std::string request() {
    if (thread_.joinable()) thread_.join();
    return request_;
  }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::string request_;
};

int status_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const core::ApiError& error) {
    return error.status();
  }
  return 0;
}

HttpLimits allowing_private() {
  HttpLimits limits;
  limits.allow_private = true;
  return limits;
}

TEST(ScriptHttp, ParsesAndBoundsACall) {
  const HttpLimits limits;
  const HttpCall call = parse_http_call(
      json::parse(R"({"method":"post","url":"https://example.com/x","headers":{"X-A":"1"},)"
                  R"("body":{"n":1},"timeout":250})"),
      limits);
  EXPECT_EQ(call.method, "POST");
  EXPECT_EQ(call.body, R"({"n":1})");
  EXPECT_EQ(call.timeout.count(), 250);
  ASSERT_EQ(call.headers.size(), 2u);  // X-A and the JSON body's Content-Type
  EXPECT_EQ(call.headers[1].second, "application/json");

  for (const char* bad : {
           R"({"url":"file:///etc/passwd"})",
           R"({"url":"gopher://example.com/"})",
           R"({"url":"http://example.com/a b"})",
           R"({"url":"http://example.com/","method":"CONNECT"})",
           R"({"url":"http://example.com/","timeout":0})",
           R"({"url":"http://example.com/","timeout":30001})",
           R"({"url":"http://example.com/","headers":{"Bad Name":"x"}})",
           R"({"url":"http://example.com/","headers":{"X":"a\r\nInjected: 1"}})",
           R"({"method":"GET"})",
           R"("http://example.com/")",
       }) {
    EXPECT_EQ(status_of([&] { parse_http_call(json::parse(bad), limits); }), 400) << bad;
  }
  json::object huge{{"url", "http://example.com/"},
                    {"body", std::string(kMaxHttpRequestBody + 1, 'x')}};
  EXPECT_EQ(status_of([&] { parse_http_call(huge, limits); }), 400);
}

TEST(ScriptHttp, RefusesLoopbackUnlessPrivateTargetsAreAllowed) {
  LoopbackServer server;  // listening, so only the guard can stop the connection
  const HttpCall call = parse_http_call(json::object{{"url", server.url()}}, HttpLimits{});
  try {
    perform_http_call(call, HttpLimits{});
    FAIL() << "a loopback target was reached";
  } catch (const core::ApiError& error) {
    EXPECT_EQ(error.status(), 502);
    EXPECT_NE(std::string(error.what()).find("resolves to a loopback address"), std::string::npos)
        << error.what();
  }
}

TEST(ScriptHttp, AnswersStatusHeadersAndBody) {
  LoopbackServer server;
  server.serve(
      "HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nX-Twice: one\r\nX-Twice: two\r\n"
      "Content-Length: 5\r\nConnection: close\r\n\r\nhello");
  const HttpCall call = parse_http_call(json::object{{"method", "PUT"},
                                                     {"url", server.url("/p?q=1")},
                                                     {"body", "abc"},
                                                     {"headers", json::object{{"X-From", "lua"}}}},
                                        allowing_private());
  const json::value answer = perform_http_call(call, allowing_private());
  EXPECT_EQ(answer.at("status"), 201);
  EXPECT_EQ(answer.at("body"), "hello");
  EXPECT_EQ(answer.at("headers").at("content-type"), "text/plain");
  EXPECT_EQ(answer.at("headers").at("x-twice"), "one");
  const std::string request = server.request();
  EXPECT_EQ(request.rfind("PUT /p?q=1 HTTP/1.1\r\n", 0), 0u) << request;
  EXPECT_NE(request.find("X-From: lua\r\n"), std::string::npos) << request;
}

TEST(ScriptHttp, CutsAResponsePastTheLimit) {
  LoopbackServer server;
  const std::string body(200 * 1024, 'x');
  server.serve("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
               "\r\nConnection: close\r\n\r\n" + body);
  HttpLimits limits = allowing_private();
  limits.max_response_bytes = 64 * 1024;
  const HttpCall call = parse_http_call(json::object{{"url", server.url()}}, limits);
  try {
    perform_http_call(call, limits);
    FAIL() << "a response past the limit was read";
  } catch (const core::ApiError& error) {
    EXPECT_EQ(error.status(), 502);
    EXPECT_NE(std::string(error.what()).find("larger than 65536 bytes"), std::string::npos)
        << error.what();
  }
}

TEST(ScriptHttp, TimesOutOnASilentServer) {
  LoopbackServer server;  // never accepts, never answers
  const HttpCall call =
      parse_http_call(json::object{{"url", server.url()}, {"timeout", 100}}, allowing_private());
  EXPECT_EQ(status_of([&] { perform_http_call(call, allowing_private()); }), 504);
}

}  // namespace
}  // namespace basalt::scripting
