#include "basalt/files/s3_request_target.hpp"

#include <gtest/gtest.h>

#include "basalt/files/storage.hpp"

namespace basalt::files {
namespace {

TEST(AwsUriEncode, KeepsUnreservedAndEncodesEverythingElseUpperCase) {
  EXPECT_EQ(aws_uri_encode("aZ09-._~", false), "aZ09-._~");
  EXPECT_EQ(aws_uri_encode("a b+c/d", false), "a%20b%2Bc%2Fd");
  EXPECT_EQ(aws_uri_encode("a b/c", true), "a%20b/c");
  EXPECT_EQ(aws_uri_encode("\xC3\xA9", false), "%C3%A9");  // é as its UTF-8 bytes
  EXPECT_EQ(aws_uri_encode("*=&?%", false), "%2A%3D%26%3F%25");
}

TEST(CanonicalQuery, SortsEncodesAndKeepsTheEqualsSignOfEmptyValues) {
  EXPECT_EQ(canonical_query({}), "");
  EXPECT_EQ(canonical_query({{"uploads", ""}}), "uploads=");
  EXPECT_EQ(canonical_query({{"uploadId", "x/y"}, {"partNumber", "2"}}),
            "partNumber=2&uploadId=x%2Fy");
  EXPECT_EQ(canonical_query({{"prefix", "a b/"},
                             {"max-keys", "5"},
                             {"list-type", "2"},
                             {"continuation-token", "t+=="}}),
            "continuation-token=t%2B%3D%3D&list-type=2&max-keys=5&prefix=a%20b%2F");
}

TEST(ParseS3Endpoint, SplitsSchemeHostPortAndPath) {
  S3Endpoint e = parse_s3_endpoint("http://127.0.0.1:9000");
  EXPECT_EQ(e.scheme, "http");
  EXPECT_EQ(e.host, "127.0.0.1");
  EXPECT_EQ(e.port, "9000");
  EXPECT_EQ(e.base_path, "");
  e = parse_s3_endpoint("s3.example.com/base/");
  EXPECT_EQ(e.scheme, "https");
  EXPECT_EQ(e.host, "s3.example.com");
  EXPECT_EQ(e.port, "");
  EXPECT_EQ(e.base_path, "/base");
}

TEST(ParseS3Endpoint, RefusesWhatCannotBeAnEndpoint) {
  for (const char* bad : {"", "ftp://host", "https://user:pw@host", "https://host/?a=b",
                          "https://host/#frag", "http://"}) {
    EXPECT_THROW(parse_s3_endpoint(bad), StorageError) << bad;
  }
}

TEST(ParseS3Endpoint, ItsErrorsNeverEchoTheEndpoint) {
  // The message is logged and returned by the S3 test route; the endpoint may hold a secret.
  try {
    parse_s3_endpoint("https://AKIAKEY:verysecret@s3.example.com");
    FAIL() << "credentials in the endpoint are refused";
  } catch (const StorageError& error) {
    const std::string message = error.what();
    EXPECT_EQ(message.find("verysecret"), std::string::npos) << message;
    EXPECT_EQ(message.find("AKIAKEY"), std::string::npos) << message;
  }
}

TEST(S3Url, PathStyleAndVirtualHosted) {
  const S3Endpoint e = parse_s3_endpoint("http://127.0.0.1:9000");
  EXPECT_EQ(s3_url(e, "bkt", true, "c/r/a b.png", {}), "http://127.0.0.1:9000/bkt/c/r/a%20b.png");
  EXPECT_EQ(s3_url(e, "bkt", true, "", {{"list-type", "2"}}),
            "http://127.0.0.1:9000/bkt?list-type=2");
  const S3Endpoint aws = parse_s3_endpoint("https://s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(s3_url(aws, "bkt", false, "k", {{"uploads", ""}}),
            "https://bkt.s3.eu-west-1.amazonaws.com/k?uploads=");
  EXPECT_EQ(s3_url(aws, "bkt", false, "", {}), "https://bkt.s3.eu-west-1.amazonaws.com/");
}

}  // namespace
}  // namespace basalt::files
