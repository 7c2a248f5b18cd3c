// A JSON string literal written byte for byte as Go's encoding/json (Go >= 1.22) writes it, so
// text we generate matches what PocketBase sends:
//   - `"` and `\` escaped; \b \f \n \r \t in their short forms; other bytes < 0x20 as \u00XX;
//   - `<`, `>` and `&` as \u003c, \u003e, \u0026 (Go's default HTML-safe escaping);
//   - U+2028 and U+2029 as \u2028 and \u2029 (they end JavaScript string literals);
//   - each invalid UTF-8 byte as \ufffd; all other text copied unchanged.
//
// Header-only so http can use it without linking anything; schema's Go JSON writer uses it too.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "basalt/core/utf8.hpp"

namespace basalt::core {

namespace go_json_detail {

// 1 for the ASCII bytes that cannot be copied as they are (control characters, `"`, `\`,
// `<`, `>`, `&`), 2 for bytes >= 0x80 (decoded as UTF-8 there): one table load per byte on
// the hot path of every record written.
struct ByteClasses {
  unsigned char of[256] = {};
  constexpr ByteClasses() {
    for (int c = 0; c < 0x20; ++c) of[c] = 1;
    for (unsigned char c : {'"', '\\', '<', '>', '&'}) of[c] = 1;
    for (int c = 0x80; c < 0x100; ++c) of[c] = 2;
  }
};
inline constexpr ByteClasses kByteClasses{};

inline constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
inline constexpr std::uint64_t kHighs = 0x8080808080808080ULL;

// Some byte of `word` is zero. Exact as a yes/no answer (the borrow only spreads above a byte
// that is zero).
constexpr bool has_zero_byte(std::uint64_t word) noexcept {
  return ((word - kOnes) & ~word & kHighs) != 0;
}

// Whether any of the 8 bytes of `word` has a class other than 0: the same answer as the table
// for each byte, a word at a time (most text has nothing to escape).
constexpr bool word_needs_care(std::uint64_t word) noexcept {
  const bool control = ((word - kOnes * 0x20) & ~word & kHighs) != 0;  // some byte < 0x20
  return (word & kHighs) != 0 || control || has_zero_byte(word ^ (kOnes * '"')) ||
         has_zero_byte(word ^ (kOnes * '\\')) || has_zero_byte(word ^ (kOnes * '<')) ||
         has_zero_byte(word ^ (kOnes * '>')) || has_zero_byte(word ^ (kOnes * '&'));
}

}  // namespace go_json_detail

// Appends `text` to `out` as a quoted JSON string.
inline void append_go_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t plain = 0;  // start of the run not yet copied
  std::size_t i = 0;
  auto flush = [&](std::size_t upto) { out.append(text.data() + plain, upto - plain); };
  while (i < text.size()) {
    // Runs of plain bytes are skipped a word at a time.
    while (i + 8 <= text.size()) {
      std::uint64_t word;
      std::memcpy(&word, text.data() + i, sizeof word);
      if (go_json_detail::word_needs_care(word)) break;
      i += 8;
    }
    if (i == text.size()) break;
    auto c = static_cast<unsigned char>(text[i]);
    const unsigned char kind = go_json_detail::kByteClasses.of[c];
    if (kind == 0) {
      ++i;
      continue;
    }
    if (kind == 2) {
      Utf8Rune rune = decode_utf8(text, i);
      const char* escape = nullptr;
      if (rune.code_point == kReplacementChar && rune.size == 1) escape = "\\ufffd";
      if (rune.code_point == 0x2028) escape = "\\u2028";
      if (rune.code_point == 0x2029) escape = "\\u2029";
      if (escape) {
        flush(i);
        out += escape;
        plain = i + rune.size;
      }
      i += rune.size;
      continue;
    }
    flush(i);
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
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
        break;
    }
    plain = ++i;
  }
  flush(i);
  out += '"';
}

}  // namespace basalt::core
