#include "basalt/files/s3_xml.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

namespace basalt::files {
namespace {

TEST(S3Xml, ReadsAListObjectsV2Page) {
  const std::string xml =
      R"(<?xml version="1.0" encoding="UTF-8"?>)"
      R"(<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name>)"
      R"(<KeyCount>2</KeyCount><IsTruncated>true</IsTruncated>)"
      R"(<Contents><Key>c/r/a &amp; b.txt</Key><Size>3</Size></Contents>)"
      R"(<Contents><Key>c/r/&#233;t&#xE9;</Key></Contents>)"
      R"(<NextContinuationToken>tok/+=</NextContinuationToken></ListBucketResult>)";
  const ListPage page = parse_list_page(xml);
  ASSERT_EQ(page.keys.size(), 2u);
  EXPECT_EQ(page.keys[0], "c/r/a & b.txt");
  EXPECT_EQ(page.keys[1], "c/r/\xC3\xA9t\xC3\xA9");
  EXPECT_TRUE(page.truncated);
  EXPECT_EQ(page.next_token, "tok/+=");
}

TEST(S3Xml, AnEmptyOrLastPage) {
  const ListPage page = parse_list_page(
      "<ListBucketResult><IsTruncated>false</IsTruncated>"
      "<KeyCount>0</KeyCount></ListBucketResult>");
  EXPECT_TRUE(page.keys.empty());
  EXPECT_FALSE(page.truncated);
  EXPECT_EQ(page.next_token, "");
}

TEST(S3Xml, ErrorSummaries) {
  EXPECT_EQ(s3_error_summary("<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>"),
            "NoSuchKey: gone");
  EXPECT_EQ(s3_error_summary("<Error><Code>AccessDenied</Code></Error>"), "AccessDenied");
  EXPECT_EQ(s3_error_summary("not xml at all"), "");
  EXPECT_EQ(s3_error_summary(""), "");
}

TEST(S3Xml, MalformedInputYieldsNothingRatherThanGarbage) {
  EXPECT_EQ(xml_text("<Key>never closed", "Key"), std::nullopt);
  EXPECT_EQ(xml_text("<Key/><Key>x</Key>", "Key"), "x");  // self-closing skipped
  EXPECT_EQ(xml_text("<KeyCount>1</KeyCount>", "Key"), std::nullopt);
  EXPECT_EQ(xml_text("<Key attr=\"1\">v</Key>", "Key"), "v");
  EXPECT_EQ(xml_text("<", "Key"), std::nullopt);
  EXPECT_EQ(xml_unescape("&bogus; &#xZZ; &#0; &amp"), "&bogus; &#xZZ; \xEF\xBF\xBD &amp");
  EXPECT_EQ(xml_unescape("&#x110000;"), "\xEF\xBF\xBD");
  EXPECT_TRUE(xml_texts("", "Key").empty());
  EXPECT_TRUE(xml_texts("<Key>a</Key>", "").empty());
}

TEST(S3Xml, EscapeRoundTrips) {
  const std::string text = "a<b>&\"c'";
  EXPECT_EQ(xml_escape(text), "a&lt;b&gt;&amp;&quot;c&apos;");
  EXPECT_EQ(xml_unescape(xml_escape(text)), text);
}

TEST(S3Xml, DeleteResultErrorsAreFoundPerEntry) {
  const std::string xml =
      "<DeleteResult><Error><Key>a</Key><Code>AccessDenied</Code><Message>no</Message></Error>"
      "<Error><Key>b</Key><Code>InternalError</Code></Error></DeleteResult>";
  const auto errors = xml_elements(xml, "Error");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(xml_text(errors[0], "Key"), "a");
  EXPECT_EQ(s3_error_summary(errors[1]), "InternalError");
}

// Every prefix of a real page, and random bytes spliced into it, parse without crashing and
// never yield a key that was not in the page.
TEST(S3Xml, TruncatedAndCorruptedPagesYieldOnlyRealKeys) {
  const std::string page =
      "<ListBucketResult><IsTruncated>true</IsTruncated>"
      "<Contents><Key>a/1</Key></Contents><Contents><Key>a/&lt;2&gt;</Key></Contents>"
      "<NextContinuationToken>t</NextContinuationToken></ListBucketResult>";
  const std::vector<std::string> real = {"a/1", "a/<2>"};
  auto only_real = [&](const ListPage& parsed) {
    for (const auto& key : parsed.keys) {
      EXPECT_NE(std::find(real.begin(), real.end(), key), real.end()) << key;
    }
  };
  for (std::size_t n = 0; n <= page.size(); ++n) only_real(parse_list_page(page.substr(0, n)));

  std::mt19937 engine(7);
  for (int round = 0; round < 2000; ++round) {
    std::string corrupted = page;
    const std::size_t at = engine() % corrupted.size();
    corrupted[at] = static_cast<char>(engine() & 0xFF);
    const ListPage parsed = parse_list_page(corrupted);
    EXPECT_LE(parsed.keys.size(), 2u);
    (void)s3_error_summary(corrupted);
    (void)xml_unescape(corrupted);
  }
}

}  // namespace
}  // namespace basalt::files
