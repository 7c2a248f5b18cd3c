#include "basalt/schema/validation_errors.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "basalt/core/api_error.hpp"
#include "basalt/schema/datetime.hpp"
#include "basalt/schema/go_json.hpp"
#include "basalt/schema/value_cast.hpp"

namespace basalt::schema {
namespace {

TEST(ValidationErrorsTest, RendersNestedPathsInByteOrder) {
  ValidationErrors errors;
  errors.add({"name"}, error_required());
  errors.add({"fields", "2", "name"}, error_match());
  errors.add({"fields", "10", "id"}, error_required());
  EXPECT_EQ(
      boost::json::serialize(errors.to_json()),
      R"({"fields":{"10":{"id":{"code":"validation_required","message":"Cannot be blank."}},)"
      R"("2":{"name":{"code":"validation_match_invalid","message":"Must be in a valid format."}}},)"
      R"("name":{"code":"validation_required","message":"Cannot be blank."}})");
}

TEST(ValidationErrorsTest, FirstErrorOfAKeyWins) {
  ValidationErrors errors;
  EXPECT_TRUE(errors.add({"name"}, error_required()));
  EXPECT_FALSE(errors.add({"name"}, error_match()));
  EXPECT_EQ(errors.find({"name"})->code, "validation_required");
}

TEST(ValidationErrorsTest, ALeafAndAnObjectNeverShareAKey) {
  ValidationErrors errors;
  EXPECT_TRUE(errors.add({"fields"}, error_required()));
  EXPECT_FALSE(errors.add({"fields", "0", "name"}, error_match()));
  ValidationErrors other;
  EXPECT_TRUE(other.add({"fields", "0", "name"}, error_match()));
  EXPECT_FALSE(other.add({"fields"}, error_required()));
  EXPECT_TRUE(other.has_under({"fields"}));
  EXPECT_FALSE(other.has_under({"field"}));
}

TEST(ValidationErrorsTest, ParamsAreRenderedIntoTheMessageAndKept) {
  FieldError error = make_error("validation_min_text_constraint",
                                "Must be at least {{.min}} character(s)", {{"min", 3}});
  EXPECT_EQ(error.message, "Must be at least 3 character(s).");
  ValidationErrors errors;
  errors.add({"title"}, error);
  EXPECT_EQ(boost::json::serialize(errors.to_json()),
            R"({"title":{"code":"validation_min_text_constraint",)"
            R"("message":"Must be at least 3 character(s).","params":{"min":3}}})");
}

TEST(ValidationErrorsTest, BecomesTheApiErrorBody) {
  ValidationErrors errors;
  errors.add({"title"}, error_required());
  core::ApiError api = errors.to_api_error("Failed to create record.");
  EXPECT_EQ(api.status(), 400);
  EXPECT_EQ(api.to_json(),
            R"({"data":{"title":{"code":"validation_required","message":"Cannot be blank."}},)"
            R"("message":"Failed to create record.","status":400})");
}

TEST(ValidationErrorsTest, OzzoLengthErrorsPickTheirVariant) {
  EXPECT_EQ(error_length(0, 10).code, "validation_length_too_long");
  EXPECT_EQ(error_length(0, 10).message, "The length must be no more than 10.");
  EXPECT_EQ(error_length(3, 0).code, "validation_length_too_short");
  EXPECT_EQ(error_length(5, 5).code, "validation_length_invalid");
  EXPECT_EQ(error_length(1, 255).message, "The length must be between 1 and 255.");
}

TEST(GoFormatTest, FloatsPrintLikeGoPercentV) {
  EXPECT_EQ(go_format_float(5), "5");
  EXPECT_EQ(go_format_float(2.5), "2.5");
  EXPECT_EQ(go_format_float(-0.25), "-0.25");
  EXPECT_EQ(go_format_float(123456), "123456");
  EXPECT_EQ(go_format_float(1000000), "1e+06");
  EXPECT_EQ(go_format_float(1234567.5), "1.2345675e+06");
  EXPECT_EQ(go_format_float(0.0001), "0.0001");
  EXPECT_EQ(go_format_float(0.00001), "1e-05");
  EXPECT_EQ(go_format(boost::json::value(boost::json::array{"a", "b"})), "[a b]");
}

TEST(GoFormatTest, RuneCountCountsCodePoints) {
  EXPECT_EQ(rune_count("abc"), 3u);
  EXPECT_EQ(rune_count("ünï"), 3u);
  EXPECT_EQ(rune_count("日本"), 2u);
}

TEST(GoFormatTest, RuneCountCountsAcrossTheAsciiWords) {
  // ASCII is counted 8 bytes at a time: runes of every width at every offset, and invalid
  // bytes (one rune each, as Go counts them), must still count once each.
  for (const std::string rune : {"\xc3\xbc", "\xe6\x97\xa5", "\xf0\x9f\x98\x80", "\xff"}) {
    for (std::size_t length = 1; length <= 24; ++length) {
      for (std::size_t at = 0; at < length; ++at) {
        std::string text(length, 'a');
        text.replace(at, 1, rune);
        EXPECT_EQ(rune_count(text), length) << "length " << length << " at " << at;
      }
    }
  }
  EXPECT_EQ(rune_count(std::string(17, 'a') + "\xe6\x97"), 19u);  // a truncated rune: 2 bytes
}

TEST(DateTimeTest, ParsesTheLayoutsClientsSend) {
  EXPECT_EQ(DateTime::parse("2024-01-02 15:04:05.123Z")->to_string(), "2024-01-02 15:04:05.123Z");
  EXPECT_EQ(DateTime::parse("2024-01-02T15:04:05Z")->to_string(), "2024-01-02 15:04:05.000Z");
  EXPECT_EQ(DateTime::parse("2024-01-02T15:04:05+02:00")->to_string(), "2024-01-02 13:04:05.000Z");
  EXPECT_EQ(DateTime::parse("2024-01-02 15:04:05 -0130")->to_string(), "2024-01-02 16:34:05.000Z");
  EXPECT_EQ(DateTime::parse("2024-01-02")->to_string(), "2024-01-02 00:00:00.000Z");
  EXPECT_EQ(DateTime::parse("2024-01-02 15:04")->to_string(), "2024-01-02 15:04:00.000Z");
  EXPECT_EQ(DateTime::parse("2024-01-02T15:04:05.123456789Z")->to_string(),
            "2024-01-02 15:04:05.123Z");
}

TEST(DateTimeTest, FormatsEveryFieldWithItsWidth) {
  EXPECT_EQ(DateTime::parse("0001-01-01 00:00:00.001Z")->to_string(), "0001-01-01 00:00:00.001Z");
  EXPECT_EQ(DateTime::parse("9999-12-31 23:59:59.999Z")->to_string(), "9999-12-31 23:59:59.999Z");
  EXPECT_EQ(DateTime::parse("2024-02-29 09:08:07.06Z")->to_string(), "2024-02-29 09:08:07.060Z");
  // 2026-12-07 09:30:00.042 UTC as a time point.
  const std::chrono::system_clock::time_point time{std::chrono::milliseconds(1796635800042)};
  EXPECT_EQ(format_datetime(time), "2026-12-07 09:30:00.042Z");
}

TEST(DateTimeTest, RejectsMalformedDates) {
  for (const char* text : {"", "yesterday", "2024-13-01", "2024-02-30", "2024-01-02 25:00:00",
                           "1700000000", "2024-01-02T15:04:05Q"}) {
    EXPECT_FALSE(DateTime::parse(text)) << text;
  }
}

TEST(DateTimeTest, FormatsGoStringsForMessages) {
  auto date = *DateTime::parse("2024-01-02 03:04:05.5Z");
  EXPECT_EQ(date.to_go_string(), "2024-01-02 03:04:05.5 +0000 UTC");
  EXPECT_EQ(date.to_rfc3339(), "2024-01-02T03:04:05.5Z");
  EXPECT_EQ(DateTime().to_string(), "");
  EXPECT_LT(*DateTime::parse("2024-01-01"), *DateTime::parse("2024-01-02"));
}

TEST(ValueCastTest, ConvertsLikeGoCast) {
  EXPECT_EQ(to_text(boost::json::value(12.5)), "12.5");
  EXPECT_EQ(to_text(boost::json::value(1e21)), "1000000000000000000000");
  EXPECT_EQ(to_text(boost::json::value(true)), "true");
  EXPECT_EQ(to_text(boost::json::value(nullptr)), "");
  EXPECT_EQ(to_number(boost::json::value("12.00")), 12);
  EXPECT_EQ(to_number(boost::json::value("abc")), 0);
  EXPECT_EQ(to_number(boost::json::value(true)), 1);
  EXPECT_TRUE(to_boolean(boost::json::value("t")));
  EXPECT_FALSE(to_boolean(boost::json::value("yes")));
  EXPECT_EQ(to_unique_strings(boost::json::value(R"(["a","b","a",""])")),
            (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(to_unique_strings(boost::json::value("[not json")),
            (std::vector<std::string>{"[not json"}));
  EXPECT_EQ(to_unique_strings(boost::json::value(boost::json::array{"x", 5, "x"})),
            (std::vector<std::string>{"x", "5"}));
  EXPECT_TRUE(to_unique_strings(boost::json::value(5)).empty());
}

TEST(ValueCastTest, UniqueStringsOfLongListsDropEveryRepeat) {
  // Short lists are checked by a scan, longer ones by hashing: repeats on both sides of the
  // switch, and of items seen before it, are dropped; order is first appearance.
  boost::json::array items;
  std::vector<std::string> expected;
  for (int i = 0; i < 40; ++i) {
    items.emplace_back("id" + std::to_string(i));
    expected.push_back("id" + std::to_string(i));
    items.emplace_back("id" + std::to_string(i / 2));  // a repeat of an earlier item
  }
  items.emplace_back("id0");
  items.emplace_back(7);
  items.emplace_back("7");
  expected.push_back("7");
  EXPECT_EQ(to_unique_strings(boost::json::value(items)), expected);
  EXPECT_EQ(to_unique_strings(boost::json::value(items), 20).size(), 20u);
}

TEST(GoJsonTest, WritesWhatGoWrites) {
  boost::json::value value = boost::json::parse(
      R"({"a":-1.5,"b":100.0,"c":1e21,"d":1e-7,"e":0.000001,"f":"<p>&</p>","g":[true,null,7]})");
  EXPECT_EQ(serialize_go_json(value),
            R"({"a":-1.5,"b":100,"c":1e+21,"d":1e-7,"e":0.000001,)"
            R"("f":"\u003cp\u003e\u0026\u003c/p\u003e","g":[true,null,7]})");
  EXPECT_EQ(serialize_go_json(boost::json::value("line\n\u2028")), R"("line\n\u2028")");
}

}  // namespace
}  // namespace basalt::schema
