#include "basalt/http/gzip.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

namespace basalt::http {
namespace {

std::string gunzip(const std::string& input) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 15 + 16), Z_OK);
  std::string out(1 << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  inflateEnd(&stream);
  return out;
}

TEST(AcceptsGzipTest, ReadsCodingsAndQValues) {
  EXPECT_TRUE(accepts_gzip("gzip"));
  EXPECT_TRUE(accepts_gzip("gzip, deflate, br"));
  EXPECT_TRUE(accepts_gzip("br;q=1.0, GZIP;q=0.5"));
  EXPECT_TRUE(accepts_gzip("*"));
  EXPECT_TRUE(accepts_gzip("x-gzip"));
  EXPECT_FALSE(accepts_gzip(""));
  EXPECT_FALSE(accepts_gzip("identity"));
  EXPECT_FALSE(accepts_gzip("deflate, br"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0.000, *"));
  EXPECT_FALSE(accepts_gzip("*;q=0"));
  EXPECT_TRUE(accepts_gzip("gzip;q=0.001"));
}

TEST(GzipCompressTest, RoundTripsAndShrinksJson) {
  std::string json = "[";
  for (int i = 0; i < 200; ++i) json += R"({"id":"abc","title":"hello world"},)";
  json += "{}]";
  std::string compressed = "prefix";
  ASSERT_TRUE(gzip_compress(json, compressed));
  ASSERT_EQ(compressed.substr(0, 6), "prefix");
  std::string member = compressed.substr(6);
  EXPECT_LT(member.size(), json.size() / 4);
  EXPECT_EQ(gunzip(member), json);
}

}  // namespace
}  // namespace basalt::http
