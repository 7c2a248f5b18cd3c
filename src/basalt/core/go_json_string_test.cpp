// append_go_json_string skips plain text 16 bytes at a time; every byte that needs care must
// be seen wherever it sits in or across those blocks. Checked against a byte-by-byte writer of
// the same rules.
#include "basalt/core/go_json_string.hpp"

#include <gtest/gtest.h>

#include <string>

namespace basalt::core {
namespace {

// The rules of go_json_string.hpp, one byte at a time, for text that is valid UTF-8 with no
// U+2028/U+2029 (bytes >= 0x80 are copied).
std::string reference(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == '<' || c == '>' || c == '&') {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

std::string written(std::string_view text) {
  std::string out;
  append_go_json_string(out, text);
  return out;
}

TEST(GoJsonStringTest, EscapesEverySpecialByteAtEveryOffsetOfTheBlocks) {
  const std::string specials[] = {"\"", "\\",   "<",    ">",    "&",       "\n",
                                  "\t", {'\0'}, "\x01", "\x1f", "\xc3\xa9"};
  for (const std::string& special : specials) {
    for (std::size_t length = 1; length <= 40; ++length) {
      for (std::size_t at = 0; at < length; ++at) {
        std::string text(length, 'a');
        text.replace(at, 1, special);
        ASSERT_EQ(written(text), reference(text)) << "length " << length << " at " << at;
      }
    }
  }
}

TEST(GoJsonStringTest, PlainTextOfEveryLengthIsCopied) {
  for (std::size_t length = 0; length <= 50; ++length) {
    const std::string text(length, 'x');
    EXPECT_EQ(written(text), "\"" + text + "\"");
  }
}

TEST(GoJsonStringTest, InvalidUtf8AndLineSeparatorsAfterPlainBlocks) {
  const std::string plain(20, 'p');
  EXPECT_EQ(written(plain + "\xff"), "\"" + plain + "\\ufffd\"");
  EXPECT_EQ(written(plain + "\xe2\x80\xa8" + plain), "\"" + plain + "\\u2028" + plain + "\"");
  // 0x7f is not escaped by Go.
  EXPECT_EQ(written(plain + "\x7f"), "\"" + plain + "\x7f\"");
}

}  // namespace
}  // namespace basalt::core
