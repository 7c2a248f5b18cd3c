#include "basalt/http/form_body.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/core/api_error.hpp"

namespace basalt::http {
namespace {

namespace json = boost::json;

constexpr std::string_view kBoundary = "XyZ";
const std::string kMultipart = "multipart/form-data; boundary=XyZ";
constexpr std::string_view kUrlencoded = "application/x-www-form-urlencoded";

std::string field(std::string_view name, std::string_view value) {
  return "--" + std::string(kBoundary) + "\r\nContent-Disposition: form-data; name=\"" +
         std::string(name) + "\"\r\n\r\n" + std::string(value) + "\r\n";
}

std::string file(std::string_view name, std::string_view filename, std::string_view data,
                 std::string_view type = "application/octet-stream") {
  return "--" + std::string(kBoundary) + "\r\nContent-Disposition: form-data; name=\"" +
         std::string(name) + "\"; filename=\"" + std::string(filename) +
         "\"\r\nContent-Type: " + std::string(type) + "\r\n\r\n" + std::string(data) + "\r\n";
}

std::string close() {
  return "--" + std::string(kBoundary) + "--\r\n";
}

// The 400 message of decoding, or "" when it succeeds.
std::string error_of(std::string_view content_type, std::string_view body,
                     const FormLimits& limits = {}) {
  try {
    decode_form_body(content_type, body, limits);
  } catch (const core::ApiError& error) {
    EXPECT_EQ(error.status(), 400);
    return error.message();
  }
  return {};
}

json::value data_of(std::string_view content_type, std::string_view body) {
  return decode_form_body(content_type, body).data;
}

TEST(InferFormValueTest, MatchesPocketBaseInferValue) {
  struct Case {
    std::string_view raw;
    std::string_view json;
  };
  const Case cases[] = {
      {"", R"("")"},
      {"true", "true"},
      {"false", "false"},
      {"True", R"("True")"},
      {"null", R"("null")"},
      {"12", "12"},
      {"-3", "-3"},
      {"0", "0"},
      {"1.5", "1.5E0"},
      {"-0.25", "-2.5E-1"},
      {"100", "100"},
      {"9007199254740993", R"("9007199254740993")"},  // reads back as ...992
      {"9007199254740992", "9007199254740992"},
      {"100000000000000000000000", "1E23"},  // Go prints 1e23 so, not as its exact binary value
      {"0001", R"("0001")"},
      {"1e3", R"("1e3")"},
      {"0.0", R"("0.0")"},
      {"1.50", R"("1.50")"},
      {"1.", R"("1.")"},
      {".5", R"(".5")"},
      {"+1", R"("+1")"},
      {"-", R"("-")"},
      {"--1", R"("--1")"},
      {"1-2", R"("1-2")"},
      {" 1", R"(" 1")"},
      {"1 ", R"("1 ")"},
      {"Infinity", R"("Infinity")"},
      {"NaN", R"("NaN")"},
      {"0x10", R"("0x10")"},
      {"1_000", R"("1_000")"},
      {"hello", R"("hello")"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(json::serialize(infer_form_value(c.raw)), c.json) << c.raw;
  }
  EXPECT_TRUE(infer_form_value("12").is_int64());
  EXPECT_TRUE(infer_form_value("1.5").is_double());
  EXPECT_TRUE(infer_form_value("-0").is_int64());
  EXPECT_TRUE(infer_form_value("0.000001").is_double());
  EXPECT_TRUE(infer_form_value("1" + std::string(400, '0')).is_string());
}

TEST(FormBodyJsonTest, DecodesAnObject) {
  FormBody body = decode_form_body("application/json", R"({"a":1,"b":"12","c":[true]})");
  EXPECT_EQ(json::serialize(body.data), R"({"a":1,"b":"12","c":[true]})");
  EXPECT_TRUE(body.files.empty());
  EXPECT_EQ(json::serialize(data_of("Application/JSON; charset=utf-8", R"({"a":1})")),
            R"({"a":1})");
  EXPECT_EQ(json::serialize(data_of("", "  {\"a\":1}")), R"({"a":1})");
}

TEST(FormBodyJsonTest, EmptyBodyIsAnEmptyObject) {
  EXPECT_TRUE(decode_form_body("application/json", "").data.empty());
  EXPECT_TRUE(decode_form_body("application/json", " \r\n").data.empty());
  EXPECT_TRUE(decode_form_body("", "").data.empty());
  EXPECT_TRUE(decode_form_body("text/plain", "").data.empty());
  EXPECT_TRUE(decode_form_body(kMultipart, "").data.empty());
}

TEST(FormBodyJsonTest, RejectsWhatIsNotOneObject) {
  EXPECT_EQ(error_of("application/json", "{"), "Invalid JSON body.");
  EXPECT_EQ(error_of("application/json", R"({"a":1} x)"), "Invalid JSON body.");
  EXPECT_EQ(error_of("application/json", R"({"a":1}{})"), "Invalid JSON body.");
  EXPECT_EQ(error_of("application/json", "[1]"), "The JSON body must be an object.");
  EXPECT_EQ(error_of("application/json", "null"), "The JSON body must be an object.");
  EXPECT_EQ(error_of("application/json", "\"s\""), "The JSON body must be an object.");
  EXPECT_EQ(error_of("application/json", "{\"a\":\"\xff\"}"), "Invalid JSON body.");
  std::string deep = R"({"a":)" + std::string(70, '[') + std::string(70, ']') + "}";
  EXPECT_EQ(error_of("application/json", deep), "Invalid JSON body: nested deeper than 64 levels.");
  std::string ok = R"({"a":)" + std::string(60, '[') + std::string(60, ']') + "}";
  EXPECT_EQ(error_of("application/json", ok), "");
}

TEST(FormBodyMultipartTest, InfersValuesAndCollectsFiles) {
  std::string body = field("title", "Hello") + field("views", "12") + field("done", "true") +
                     field("code", "0001") + file("avatar", "me.png", "\x89PNG", "image/png") +
                     file("avatar+", "a.txt", "A") + file("+avatar", "b.txt", "B", "") +
                     file("requests.0.avatar", "c.txt", "") + close();
  FormBody decoded = decode_form_body(kMultipart, body);
  EXPECT_EQ(json::serialize(decoded.data),
            R"({"title":"Hello","views":12,"done":true,"code":"0001"})");
  ASSERT_EQ(decoded.files.size(), 4u);
  EXPECT_EQ(decoded.files[0].field, "avatar");
  EXPECT_EQ(decoded.files[0].filename, "me.png");
  EXPECT_EQ(decoded.files[0].content_type, "image/png");
  EXPECT_EQ(decoded.files[0].data, "\x89PNG");
  EXPECT_EQ(decoded.files[1].field, "avatar+");
  EXPECT_EQ(decoded.files[2].field, "+avatar");
  EXPECT_EQ(decoded.files[2].content_type, "");
  EXPECT_EQ(decoded.files[3].field, "requests.0.avatar");
  EXPECT_EQ(decoded.files[3].data, "");
}

TEST(FormBodyMultipartTest, RepeatedNamesFormArrays) {
  std::string body = field("tags", "a") + field("one", "x") + field("tags", "2") +
                     field("tags", "false") + close();
  EXPECT_EQ(json::serialize(data_of(kMultipart, body)), R"({"tags":["a",2,false],"one":"x"})");
  // A file part does not turn a same-named value into an array.
  body = field("doc", "old.txt") + file("doc", "new.txt", "N") + close();
  FormBody decoded = decode_form_body(kMultipart, body);
  EXPECT_EQ(json::serialize(decoded.data), R"({"doc":"old.txt"})");
  EXPECT_EQ(decoded.files.size(), 1u);
}

TEST(FormBodyMultipartTest, MergesJsonPayloads) {
  std::string body = field("@jsonPayload", R"({"meta":{"n":"12"},"title":"from json"})") +
                     field("title", "plain") + field("views", "3") +
                     field("@jsonPayload", R"({"views":[1,2],"extra":null})") + close();
  // Payload members win over plain values whatever their order, are not inferred, and later
  // payloads win over earlier ones.
  EXPECT_EQ(json::serialize(data_of(kMultipart, body)),
            R"({"title":"from json","views":[1,2],"meta":{"n":"12"},"extra":null})");
}

TEST(FormBodyMultipartTest, SdkBatchBody) {
  std::string payload = R"({"requests":[{"method":"POST","url":"/api/collections/posts/records",)"
                        R"("headers":{},"body":{"title":"a"}}]})";
  std::string body =
      field("@jsonPayload", payload) + file("requests.0.files+", "x.txt", "X") + close();
  FormBody decoded = decode_form_body(kMultipart, body);
  EXPECT_EQ(json::serialize(decoded.data), payload);
  ASSERT_EQ(decoded.files.size(), 1u);
  EXPECT_EQ(decoded.files[0].field, "requests.0.files+");
}

TEST(FormBodyMultipartTest, RejectsBadPayloads) {
  EXPECT_EQ(error_of(kMultipart, field("@jsonPayload", "{") + close()),
            "Invalid JSON in the @jsonPayload form field.");
  EXPECT_EQ(error_of(kMultipart, field("@jsonPayload", "[1]") + close()),
            "The @jsonPayload form field must hold a JSON object.");
  EXPECT_EQ(error_of(kMultipart, field("@jsonPayload", "") + close()),
            "Invalid JSON in the @jsonPayload form field.");
}

TEST(FormBodyMultipartTest, ReportsParserErrorsAsBadRequests) {
  std::string many;
  for (int i = 0; i < 10000; ++i) many += field("f", "v");
  EXPECT_EQ(error_of(kMultipart, many + close()), "Too many multipart parts (max 1000).");
  EXPECT_EQ(error_of(kMultipart, field("a", "1")),
            "The multipart body ends before its final boundary.");
  FormLimits limits;
  limits.multipart.max_file_bytes = 2;
  EXPECT_EQ(error_of(kMultipart, file("f", "f.txt", "abc") + close(), limits),
            "An uploaded file is too large (max 2 bytes).");
  EXPECT_EQ(error_of("multipart/form-data", field("a", "1") + close()),
            "Invalid or missing multipart boundary in the Content-Type header.");
  EXPECT_EQ(error_of("multipart/form-data; boundary=\"" + std::string(71, 'b') + "\"",
                     field("a", "1") + close()),
            "Invalid or missing multipart boundary in the Content-Type header.");
}

TEST(FormBodyMultipartTest, JsonPayloadHasItsOwnSizeLimit) {
  std::string big(2 << 20, 'x');
  std::string payload = R"({"content":")" + big + R"("})";
  FormBody decoded = decode_form_body(kMultipart, field("@jsonPayload", payload) + close());
  EXPECT_EQ(decoded.data.at("content").as_string().size(), big.size());
  EXPECT_EQ(error_of(kMultipart, field("content", big) + close()),
            "A multipart form value is too large (max 1048576 bytes).");
  FormLimits limits;
  limits.max_json_payload_bytes = 16;
  EXPECT_EQ(error_of(kMultipart, field("@jsonPayload", R"({"a":"0123456789"})") + close(), limits),
            "The @jsonPayload form field is too large (max 16 bytes).");
  EXPECT_EQ(error_of(kMultipart, field("@jsonPayload", R"({"a":1})") + close(), limits), "");
  limits.multipart.max_value_bytes = 4;
  EXPECT_EQ(error_of(kMultipart, field("a", "12345") + close(), limits),
            "A multipart form value is too large (max 4 bytes).");
}

TEST(FormBodyMultipartTest, RequiresUtf8) {
  const std::string message =
      "Form field names, values and uploaded file names must be valid UTF-8.";
  EXPECT_EQ(error_of(kMultipart, field("a", "caf\xC3") + close()), message);
  EXPECT_EQ(error_of(kMultipart, field("\xFF", "1") + close()), message);
  EXPECT_EQ(error_of(kMultipart, field("a", "\xED\xA0\x80") + close()), message);  // surrogate
  EXPECT_EQ(error_of(kMultipart, field("a", "\xC0\xAF") + close()), message);      // overlong
  EXPECT_EQ(error_of(kMultipart, field("a", "\xF4\x90\x80\x80") + close()), message);
  EXPECT_EQ(error_of(kMultipart, file("f", "\xFE.png", "x") + close()), message);
  // File contents are bytes, not text.
  EXPECT_EQ(error_of(kMultipart, file("f", "f.bin", "\xFF\xFE") + close()), "");
  EXPECT_EQ(
      json::serialize(data_of(kMultipart, field("a", "\xF0\x9F\x98\x80 \xE2\x82\xAC") + close())),
      "{\"a\":\"\xF0\x9F\x98\x80 \xE2\x82\xAC\"}");
}

TEST(FormBodyUrlencodedTest, DecodesPairs) {
  EXPECT_EQ(json::serialize(data_of(kUrlencoded,
                                    "title=Hello+World%21&views=12&ok=true&tags=a&tags=%32&"
                                    "empty=&bare&&code=0001&%40x=%e2%82%ac")),
            R"({"title":"Hello World!","views":12,"ok":true,"tags":["a",2],"empty":"",)"
            R"("bare":"","code":"0001","@x":"€"})");
  EXPECT_EQ(json::serialize(data_of("Application/X-WWW-Form-Urlencoded; charset=utf-8", "a=1")),
            R"({"a":1})");
  EXPECT_EQ(json::serialize(data_of(kUrlencoded, "a=1&%40jsonPayload=%7B%22a%22%3A%22x%22%7D")),
            R"({"a":"x"})");
}

TEST(FormBodyUrlencodedTest, RejectsMalformedInput) {
  EXPECT_EQ(error_of(kUrlencoded, "a=%"), "Malformed percent-encoding in the form body.");
  EXPECT_EQ(error_of(kUrlencoded, "a=%4"), "Malformed percent-encoding in the form body.");
  EXPECT_EQ(error_of(kUrlencoded, "a=%zz"), "Malformed percent-encoding in the form body.");
  EXPECT_EQ(error_of(kUrlencoded, "%g1=1"), "Malformed percent-encoding in the form body.");
  EXPECT_EQ(error_of(kUrlencoded, "a=1;b=2"), "Invalid semicolon separator in the form body.");
  EXPECT_EQ(error_of(kUrlencoded, "a=%FF"),
            "Form field names, values and uploaded file names must be valid UTF-8.");
  std::string many;
  for (int i = 0; i < 1001; ++i) many += "a=1&";
  EXPECT_EQ(error_of(kUrlencoded, many), "Too many form fields (max 1000).");
  many.resize(many.size() - 4);
  EXPECT_EQ(error_of(kUrlencoded, many), "");
}

TEST(FormBodyTest, RejectsOtherContentTypes) {
  for (std::string_view type :
       {"text/plain", "application/xml", "text/xml", "multipart/mixed; boundary=x",
        "application/jsonx", "application/merge-patch+json", "form-data", "", " ;"}) {
    EXPECT_EQ(error_of(type, "x=1"), "Unsupported Content-Type.") << type;
  }
}

}  // namespace
}  // namespace basalt::http
