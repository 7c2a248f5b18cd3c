#include "basalt/core/logging.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace basalt::core {
namespace {

std::string escaped(std::string_view text) {
  std::string out;
  append_json_escaped(out, text);
  return out;
}

TEST(JsonEscapeTest, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(escaped("a\"b\\c"), "a\\\"b\\\\c");
  EXPECT_EQ(escaped("line\nbreak\ttab"), "line\\nbreak\\ttab");
  EXPECT_EQ(escaped(std::string_view("\x01", 1)), "\\u0001");
}

TEST(JsonEscapeTest, KeepsValidUtf8) {
  EXPECT_EQ(escaped("café ✓ 🪨"), "café ✓ 🪨");
}

TEST(JsonEscapeTest, ReplacesInvalidUtf8SoTheLineStaysJson) {
  const std::string inputs[] = {"\xff",         "\xc0\xaf",  "\xe0\x80\x80",
                                "\xed\xa0\x80", "a\xe2\x82", "\xf4\x90\x80\x80"};
  for (const auto& input : inputs) {
    std::string line = "\"" + escaped(input) + "\"";
    EXPECT_NO_THROW(boost::json::parse(line)) << line;
    EXPECT_NE(line.find("\xef\xbf\xbd"), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace basalt::core
