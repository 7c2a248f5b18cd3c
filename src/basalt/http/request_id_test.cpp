#include "basalt/http/request_id.hpp"

#include <gtest/gtest.h>

#include <set>

namespace basalt::http {
namespace {

TEST(RequestIdTest, AcceptsCommonIdShapes) {
  EXPECT_TRUE(is_valid_request_id("abc123"));
  EXPECT_TRUE(is_valid_request_id("0f8fad5b-d9cb-469f-a165-70867728950e"));
  EXPECT_TRUE(is_valid_request_id("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
  EXPECT_TRUE(is_valid_request_id("dGVzdA=="));
  EXPECT_TRUE(is_valid_request_id(std::string(kMaxRequestIdLength, 'a')));
}

TEST(RequestIdTest, RejectsEmptyLongAndUnsafeIds) {
  EXPECT_FALSE(is_valid_request_id(""));
  EXPECT_FALSE(is_valid_request_id(std::string(kMaxRequestIdLength + 1, 'a')));
  EXPECT_FALSE(is_valid_request_id("has space"));
  EXPECT_FALSE(is_valid_request_id("line\nbreak"));
  EXPECT_FALSE(is_valid_request_id("quote\""));
  EXPECT_FALSE(is_valid_request_id("caf\xc3\xa9"));
}

TEST(RequestIdTest, GeneratedIdsAreValidAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = generate_request_id();
    EXPECT_EQ(id.size(), 20u);
    EXPECT_EQ(id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789"), std::string::npos);
    EXPECT_TRUE(is_valid_request_id(id));
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace basalt::http
