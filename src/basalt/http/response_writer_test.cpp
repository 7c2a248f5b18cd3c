#include "basalt/http/response_writer.hpp"

#include <gtest/gtest.h>

namespace basalt::http {
namespace {

TEST(ResponseWriterTest, WritesStatusHeadersAndBody) {
  Response response;
  response.json(200, R"({"ok":true})");
  response.add_header("Vary", "Origin");
  std::string out;
  std::size_t bytes = write_response(response, {false, true, "req1"}, out);
  EXPECT_EQ(bytes, 11u);
  EXPECT_EQ(out.rfind("HTTP/1.1 200 OK\r\nDate: ", 0), 0u);
  EXPECT_NE(out.find("\r\nContent-Type: application/json\r\n"), std::string::npos);
  EXPECT_NE(out.find("\r\nContent-Length: 11\r\n"), std::string::npos);
  EXPECT_NE(out.find("\r\nX-Request-Id: req1\r\n"), std::string::npos);
  EXPECT_NE(out.find("\r\nVary: Origin\r\n"), std::string::npos);
  EXPECT_EQ(out.find("Connection:"), std::string::npos);
  EXPECT_EQ(out.substr(out.size() - 15), "\r\n\r\n{\"ok\":true}");
}

TEST(ResponseWriterTest, HeadKeepsLengthButSendsNoBody) {
  Response response;
  response.json(200, "12345");
  std::string out;
  EXPECT_EQ(write_response(response, {true, true, {}}, out), 0u);
  EXPECT_NE(out.find("Content-Length: 5\r\n"), std::string::npos);
  EXPECT_EQ(out.substr(out.size() - 4), "\r\n\r\n");
}

TEST(ResponseWriterTest, CloseAddsConnectionHeader) {
  Response response;
  response.json(404, "{}");
  std::string out;
  write_response(response, {false, false, {}}, out);
  EXPECT_EQ(out.rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u);
  EXPECT_NE(out.find("\r\nConnection: close\r\n"), std::string::npos);
}

TEST(ResponseWriterTest, NoContentHasNoLengthOrBody) {
  Response response;
  response.content(204, {}, {});
  std::string out;
  write_response(response, {false, true, {}}, out);
  EXPECT_EQ(out.find("Content-Length"), std::string::npos);
  EXPECT_EQ(out.find("Content-Type"), std::string::npos);
}

TEST(ResponseWriterTest, DateIsAnImfFixdate) {
  std::string_view date = http_date();
  ASSERT_EQ(date.size(), 29u);  // "Sun, 06 Nov 1994 08:49:37 GMT"
  EXPECT_EQ(date.substr(25), " GMT");
}

}  // namespace
}  // namespace basalt::http
