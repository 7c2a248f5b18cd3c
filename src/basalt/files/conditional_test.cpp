#include "basalt/files/conditional.hpp"

#include <gtest/gtest.h>

namespace basalt::files {
namespace {

const TimePoint kModified =
    TimePoint(std::chrono::seconds(784111777));  // Sun, 06 Nov 1994 08:49:37
constexpr std::string_view kModifiedText = "Sun, 06 Nov 1994 08:49:37 GMT";
constexpr std::string_view kEtag = "\"abc\"";

Validators object() {
  return {kEtag, kModified + std::chrono::milliseconds(250)};  // sub-second part ignored
}

TEST(HttpDate, ParsesTheThreeFormsAndFormatsImfFixdate) {
  EXPECT_EQ(parse_http_date(kModifiedText), kModified);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), kModified);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), kModified);
  EXPECT_FALSE(parse_http_date("yesterday"));
  EXPECT_FALSE(parse_http_date(""));
  EXPECT_EQ(format_http_date(kModified + std::chrono::milliseconds(999)), kModifiedText);
}

TEST(CheckConditions, NoValidatorsServe) {
  const auto decision = check_conditions({}, object());
  EXPECT_EQ(decision.outcome, Precondition::kServe);
  EXPECT_TRUE(decision.range_applies);
}

TEST(CheckConditions, IfNoneMatchGivesNotModifiedForAMatchingTag) {
  ConditionalHeaders headers;
  for (std::string_view value : {"\"abc\"", "W/\"abc\"", "\"x\", \"abc\"", "*"}) {
    headers.if_none_match = value;
    EXPECT_EQ(check_conditions(headers, object()).outcome, Precondition::kNotModified) << value;
  }
  headers.if_none_match = "\"other\"";
  EXPECT_EQ(check_conditions(headers, object()).outcome, Precondition::kServe);
}

TEST(CheckConditions, IfModifiedSinceComparesWholeSeconds) {
  ConditionalHeaders headers;
  headers.if_modified_since = kModifiedText;
  EXPECT_EQ(check_conditions(headers, object()).outcome, Precondition::kNotModified);
  headers.if_modified_since = "Sun, 06 Nov 1994 08:49:36 GMT";
  EXPECT_EQ(check_conditions(headers, object()).outcome, Precondition::kServe);
  headers.if_modified_since = "not a date";
  EXPECT_EQ(check_conditions(headers, object()).outcome, Precondition::kServe);
}

TEST(CheckConditions, IfNoneMatchWinsOverIfModifiedSince) {
  ConditionalHeaders headers;
  headers.if_none_match = "\"other\"";
  headers.if_modified_since = kModifiedText;
  EXPECT_EQ(check_conditions(headers, object()).outcome, Precondition::kServe);
}

TEST(CheckConditions, IfMatchAndIfUnmodifiedSinceFail) {
  ConditionalHeaders headers;
  headers.if_match = "\"other\"";
  EXPECT_EQ(check_conditions(headers, object()).outcome, Precondition::kFailed);
  headers.if_match = "\"abc\"";
  EXPECT_EQ(check_conditions(headers, object()).outcome, Precondition::kServe);
  headers.if_match = "W/\"abc\"";  // strong comparison
  EXPECT_EQ(check_conditions(headers, object()).outcome, Precondition::kFailed);
  headers = {};
  headers.if_unmodified_since = "Sun, 06 Nov 1994 08:49:36 GMT";
  EXPECT_EQ(check_conditions(headers, object()).outcome, Precondition::kFailed);
  headers.if_unmodified_since = kModifiedText;
  EXPECT_EQ(check_conditions(headers, object()).outcome, Precondition::kServe);
}

TEST(CheckConditions, IfRangeDecidesWhetherTheRangeCounts) {
  ConditionalHeaders headers;
  headers.if_range = "\"abc\"";
  EXPECT_TRUE(check_conditions(headers, object()).range_applies);
  headers.if_range = "\"old\"";
  EXPECT_FALSE(check_conditions(headers, object()).range_applies);
  headers.if_range = kModifiedText;
  EXPECT_TRUE(check_conditions(headers, object()).range_applies);
  headers.if_range = "Sun, 06 Nov 1994 08:49:36 GMT";
  EXPECT_FALSE(check_conditions(headers, object()).range_applies);
}

}  // namespace
}  // namespace basalt::files
