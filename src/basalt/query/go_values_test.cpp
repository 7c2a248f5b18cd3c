// The Go-side conversions PocketBase applies to request values and `~` patterns.
#include "basalt/query/go_values.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <cmath>

#include "basalt/query/lowering.hpp"
#include "basalt/query/request_info.hpp"

namespace basalt::query {
namespace {

namespace json = boost::json;

// Input -> pattern pairs from PocketBase's tools/search/filter_test.go
// (TestFilterDataBuildExprWithParams).
TEST(LikePatternTest, MatchesPocketBaseWrapping) {
  const std::pair<const char*, const char*> kCases[] = {
      {R"(abc)", R"(%abc%)"},          {R"(ab%c)", R"(ab%c)"},
      {R"(ab\%c)", R"(%ab\%c%)"},      {R"(%ab\%c)", R"(%ab\%c)"},
      {R"(ab\\%c)", R"(ab\\%c)"},      {R"(ab\\\%c)", R"(%ab\\\%c%)"},
      {R"(ab_c)", R"(%ab\_c%)"},       {R"(ab\_c)", R"(%ab\_c%)"},
      {R"(%ab_c)", R"(%ab_c)"},        {R"(ab\c)", R"(%ab\\c%)"},
      {R"(_ab\c_)", R"(%\_ab\\c\_%)"}, {R"(ab\c%)", R"(ab\c%)"},
      {"a\nb\\", "%a\nb\\\\%"},        {"", "%%"},
  };
  for (const auto& [input, pattern] : kCases) EXPECT_EQ(like_pattern(input), pattern) << input;
}

TEST(GoValuesTest, FormatFloatAsStrconv) {
  EXPECT_EQ(go_format_float(5), "5");
  EXPECT_EQ(go_format_float(1.5), "1.5");
  EXPECT_EQ(go_format_float(-0.25), "-0.25");
  EXPECT_EQ(go_format_float(1e21), "1000000000000000000000");
  EXPECT_EQ(go_format_float(1e-7), "0.0000001");
  EXPECT_EQ(go_format_float(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(go_format_float(std::nan("")), "NaN");
}

TEST(GoValuesTest, ParseFloatAsStrconv) {
  EXPECT_EQ(go_parse_float("5"), 5.0);
  EXPECT_EQ(go_parse_float("+5.5"), 5.5);
  EXPECT_EQ(go_parse_float("-1e3"), -1000.0);
  EXPECT_EQ(go_parse_float(".5"), 0.5);
  EXPECT_EQ(go_parse_float("5."), 5.0);
  EXPECT_TRUE(std::isinf(*go_parse_float("-Infinity")));
  EXPECT_TRUE(std::isnan(*go_parse_float("NaN")));
  for (const char* bad : {"", " 5", "5 ", "abc", "1e999", "--5", "0x10", "1_000", "+"}) {
    EXPECT_EQ(go_parse_float(bad), std::nullopt) << bad;
  }
}

TEST(GoValuesTest, ToStringMarshalSliceAndUniqueStrings) {
  EXPECT_EQ(go_to_string(json::value(5)), "5");
  EXPECT_EQ(go_to_string(json::value(true)), "true");
  EXPECT_EQ(go_to_string(json::value(nullptr)), "");
  EXPECT_EQ(go_to_string(json::parse("[1]")), "");
  EXPECT_EQ(go_marshal(json::parse(R"({"b":1.5,"a":["<x>",2]})")),
            R"({"a":["\u003cx\u003e",2],"b":1.5})");
  EXPECT_EQ(go_to_slice(json::value(nullptr)).size(), 0u);
  EXPECT_EQ(go_to_slice(json::value("a")).size(), 1u);
  EXPECT_EQ(go_to_slice(json::parse("[1,2,3]")).size(), 3u);
  EXPECT_EQ(go_unique_strings(json::parse(R"(["a","","a","b"])")),
            (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(go_unique_strings(json::value(R"(["x","y"])")), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(go_unique_strings(json::value("[not json")), (std::vector<std::string>{"[not json"}));
  EXPECT_EQ(go_unique_strings(json::value("")), std::vector<std::string>{});
}

TEST(RequestInfoTest, HeaderNamesAndNestedValues) {
  EXPECT_EQ(normalize_header_name("X-Token"), "x_token");
  EXPECT_EQ(normalize_header_name("content-type"), "content_type");
  EXPECT_EQ(normalize_header_name("X-API--Key"), "x_api_key");

  RequestInfo request;
  request.body = json::parse(R"({"a":{"b":[10,{"c":"x"}]},"n":null})").as_object();
  std::string_view path[] = {"a", "b", "1", "c"};
  RequestValue found = find_request_value(request, IdentifierRoot::kRequestBody, path);
  ASSERT_TRUE(found.found);
  EXPECT_EQ(found.json->as_string(), "x");
  std::string_view missing[] = {"a", "b", "2"};
  EXPECT_FALSE(find_request_value(request, IdentifierRoot::kRequestBody, missing).found);
  std::string_view into_scalar[] = {"a", "b", "0", "x"};
  EXPECT_FALSE(find_request_value(request, IdentifierRoot::kRequestBody, into_scalar).found);
  std::string_view null_key[] = {"n"};
  EXPECT_TRUE(find_request_value(request, IdentifierRoot::kRequestBody, null_key).found);

  request.auth = AuthInfo{"cid", "users", json::parse(R"({"id":"u1"})").as_object()};
  std::string_view collection_name[] = {"collectionName"};
  EXPECT_EQ(find_request_value(request, IdentifierRoot::kRequestAuth, collection_name).text,
            "users");
  EXPECT_EQ(request.auth_id(), "u1");
  EXPECT_EQ(find_request_value(request, IdentifierRoot::kRequestMethod, {}).text, "GET");
}

}  // namespace
}  // namespace basalt::query
