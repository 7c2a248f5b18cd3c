#include "basalt/http/request_framing.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http/field.hpp>

namespace basalt::http {
namespace {

namespace beast_http = boost::beast::http;

constexpr std::string_view kPlainBlock = "POST / HTTP/1.1\r\nHost: a\r\n\r\n";

beast_http::request_header<> header_with(
    std::initializer_list<std::pair<beast_http::field, std::string_view>> fields,
    unsigned version = 11) {
  beast_http::request_header<> header;
  header.version(version);
  for (const auto& [name, value] : fields) header.insert(name, value);
  return header;
}

TEST(RequestFramingTest, HostSyntaxFollowsRfc3986) {
  for (std::string_view good :
       {"", "example.com", "example.com:8090", "127.0.0.1:80", "[::1]", "[::1]:8090",
        "[2001:db8::7]", "a-b_c~d.e", "xn--bcher-kva.ch", "%41bc", "sub!$&'()*+,;=.x", "host:"}) {
    EXPECT_TRUE(is_valid_host(good)) << good;
  }
  for (std::string_view bad : {"a b", "a\tb", "user@host", "host/path", "host:80:90", "host:8o",
                               "[::1", "[::1]x", "[fe80::1%eth0]", "[v1.x]", "[not-ip]", "%4",
                               "%zz", "a\x01", "h\"x", "a\\b", "h?x", "h#x", "[]"}) {
    EXPECT_FALSE(is_valid_host(bad)) << bad;
  }
}

TEST(RequestFramingTest, ObsFoldIsFoundOnlyInsideTheBlock) {
  EXPECT_FALSE(has_obs_fold(kPlainBlock));
  EXPECT_TRUE(has_obs_fold("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n 2\r\n\r\n"));
  EXPECT_TRUE(has_obs_fold("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n\t2\r\n\r\n"));
}

TEST(RequestFramingTest, OnlyASingleChunkedCodingWithoutContentLength) {
  using F = beast_http::field;
  EXPECT_EQ(framing_problem(kPlainBlock,
                            header_with({{F::host, "a"}, {F::transfer_encoding, "chunked"}})),
            std::nullopt);
  EXPECT_EQ(framing_problem(kPlainBlock,
                            header_with({{F::host, "a"}, {F::transfer_encoding, "Chunked"}})),
            std::nullopt);
  for (std::string_view coding :
       {"gzip", "gzip, chunked", "chunked, gzip", "identity", "foo", "chunked, chunked", ""}) {
    EXPECT_NE(
        framing_problem(kPlainBlock, header_with({{F::host, "a"}, {F::transfer_encoding, coding}})),
        std::nullopt)
        << coding;
  }
  EXPECT_NE(framing_problem(kPlainBlock, header_with({{F::host, "a"},
                                                      {F::transfer_encoding, "chunked"},
                                                      {F::transfer_encoding, "chunked"}})),
            std::nullopt);
  EXPECT_NE(framing_problem(kPlainBlock, header_with({{F::host, "a"},
                                                      {F::transfer_encoding, "chunked"},
                                                      {F::content_length, "3"}})),
            std::nullopt);
  EXPECT_NE(framing_problem(kPlainBlock, header_with({{F::transfer_encoding, "chunked"}}, 10)),
            std::nullopt);
}

TEST(RequestFramingTest, Http11NeedsExactlyOneValidHost) {
  using F = beast_http::field;
  EXPECT_EQ(framing_problem(kPlainBlock, header_with({{F::host, "a"}})), std::nullopt);
  EXPECT_EQ(framing_problem(kPlainBlock, header_with({}, 10)), std::nullopt);
  EXPECT_EQ(framing_problem(kPlainBlock, header_with({}, 11)), "Missing Host header.");
  EXPECT_EQ(framing_problem(kPlainBlock, header_with({{F::host, "a"}, {F::host, "b"}})),
            "Too many Host headers.");
  EXPECT_EQ(framing_problem(kPlainBlock, header_with({{F::host, "a@b"}})),
            "Malformed Host header.");
  EXPECT_EQ(framing_problem(kPlainBlock, header_with({{F::host, "a b"}}, 10)),
            "Malformed Host header.");
}

}  // namespace
}  // namespace basalt::http
