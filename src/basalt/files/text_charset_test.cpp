#include "basalt/files/text_charset.hpp"

#include <gtest/gtest.h>

namespace basalt::files {
namespace {

TEST(TextCharset, AsciiAndValidUtf8AreUtf8) {
  EXPECT_EQ(text_charset("hello world\n"), "utf-8");
  EXPECT_EQ(text_charset("caf\xC3\xA9 \xE2\x82\xAC"), "utf-8");
  // A rune cut by the end of the sniffed bytes does not make the text invalid.
  EXPECT_EQ(text_charset("caf\xC3\xA9 \xE2\x82"), "utf-8");
}

TEST(TextCharset, AByteOrderMarkNamesItsEncoding) {
  EXPECT_EQ(text_charset("\xEF\xBB\xBFhi"), "utf-8");
  EXPECT_EQ(text_charset(std::string_view("\xFF\xFEh\0i\0", 6)), "utf-16le");
  EXPECT_EQ(text_charset(std::string_view("\xFE\xFF\0h", 4)), "utf-16be");
  EXPECT_EQ(text_charset(std::string_view("\xFF\xFE\0\0h\0\0\0", 8)), "utf-32le");
}

TEST(TextCharset, LatinBytesAreIso88591OrWindows1252) {
  EXPECT_EQ(text_charset("caf\xE9 cr\xE8me"), "iso-8859-1");
  EXPECT_EQ(text_charset("caf\xE9\x85"), "windows-1252");
}

TEST(TextCharset, BinaryOrEmptyNamesNone) {
  EXPECT_EQ(text_charset(""), "");
  EXPECT_EQ(text_charset(std::string_view("a\0b\xE9", 4)), "");
  EXPECT_EQ(text_charset("\x81\xE9"), "");
}

TEST(TextCharset, OnlyPlainTextGetsACharset) {
  EXPECT_EQ(served_type_with_charset("text/plain", "hello"), "text/plain; charset=utf-8");
  EXPECT_EQ(served_type_with_charset("text/plain", std::string_view("\0\x01", 2)), "text/plain");
  EXPECT_EQ(served_type_with_charset("image/png", "hello"), "image/png");
  EXPECT_EQ(served_type_with_charset("text/csv", "a,b"), "text/csv");
}

}  // namespace
}  // namespace basalt::files
