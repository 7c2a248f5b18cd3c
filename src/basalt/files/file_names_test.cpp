#include "basalt/files/file_names.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace basalt::files {
namespace {

TEST(BaseName, KeepsOnlyTheLastSegmentAsGoDoes) {
  EXPECT_EQ(base_name(""), ".");
  EXPECT_EQ(base_name("a.png"), "a.png");
  EXPECT_EQ(base_name("../x"), "x");
  EXPECT_EQ(base_name("/etc/passwd"), "passwd");
  EXPECT_EQ(base_name("a/b/"), "b");
  EXPECT_EQ(base_name("///"), "/");
  EXPECT_EQ(base_name("%2e%2e/x"), "x");
}

TEST(Snakecase, MatchesPocketBasesInflector) {
  EXPECT_EQ(snakecase("myTestDB"), "my_test_db");
  EXPECT_EQ(snakecase("Hello World!"), "hello_world");
  EXPECT_EQ(snakecase("__a__b__"), "a_b");
  EXPECT_EQ(snakecase("ABC"), "abc");
  EXPECT_EQ(snakecase("fooBar2Baz"), "foo_bar2_baz");
  EXPECT_EQ(snakecase("caf\xc3\xa9 menu"), "caf_menu");
  EXPECT_EQ(snakecase("..."), "");
}

TEST(RawExtension, TakesUpToTwoDots) {
  EXPECT_EQ(raw_extension("test.txt"), ".txt");
  EXPECT_EQ(raw_extension("test.tar.gz"), ".tar.gz");
  EXPECT_EQ(raw_extension("test.a.tar.gz"), ".tar.gz");
  EXPECT_EQ(raw_extension("noext"), "");
  EXPECT_EQ(raw_extension(".."), "..");
}

TEST(RandomLowerAlnum, HasTheLengthAndAlphabet) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    std::string s = random_lower_alnum(10);
    EXPECT_TRUE(std::regex_match(s, std::regex("[a-z0-9]{10}"))) << s;
    seen.insert(s);
  }
  EXPECT_EQ(seen.size(), 50u);  // 36^10 values: a repeat means the generator is broken
}

TEST(NormalizeFileName, FollowsPocketBasesShape) {
  EXPECT_TRUE(std::regex_match(normalize_file_name("My Photo.PNG", "image/png"),
                               std::regex("my_photo_[a-z0-9]{10}\\.PNG")));
  EXPECT_TRUE(std::regex_match(normalize_file_name("archive.tar.gz", ""),
                               std::regex("archive_[a-z0-9]{10}\\.tar\\.gz")));
  // Too short a base is padded with 10 random characters.
  EXPECT_TRUE(std::regex_match(normalize_file_name("a.txt", ""),
                               std::regex("a[a-z0-9]{10}_[a-z0-9]{10}\\.txt")));
  // No extension: the detected type's.
  EXPECT_TRUE(std::regex_match(normalize_file_name("report", "application/pdf"),
                               std::regex("report_[a-z0-9]{10}\\.pdf")));
  EXPECT_TRUE(std::regex_match(normalize_file_name("report", "application/x-unknown"),
                               std::regex("report_[a-z0-9]{10}")));
  // Unsafe bytes leave the extension; a long one keeps its last 20.
  EXPECT_TRUE(std::regex_match(normalize_file_name("x.p/n\x01g", ""),
                               std::regex("x[a-z0-9]{10}_[a-z0-9]{10}\\.png")));
  const std::string long_ext = normalize_file_name("file.abcdefghijklmnopqrstuvwxyz", "");
  EXPECT_TRUE(std::regex_match(long_ext, std::regex("file_[a-z0-9]{10}\\.ghijklmnopqrstuvwxyz")))
      << long_ext;
  // A long base is cut at 100.
  const std::string name = normalize_file_name(std::string(300, 'b') + ".txt", "");
  EXPECT_EQ(name.size(), 100 + 1 + 10 + 4);
}

TEST(NormalizeFileName, NeverLeavesTheDirectory) {
  const std::string_view originals[] = {"..",       ".",     "/", std::string_view("a\0b", 3),
                                        "\xff\xfe", "....//"};
  for (std::string_view original : originals) {
    const std::string name = normalize_file_name(base_name(original), "");
    EXPECT_EQ(name.find('/'), std::string::npos) << name;
    EXPECT_EQ(name.find('\0'), std::string::npos) << name;
    EXPECT_NE(name.front(), '.') << name;
    EXPECT_NE(name, "..");
  }
}

}  // namespace
}  // namespace basalt::files
