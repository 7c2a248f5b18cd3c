// A JSON string literal written byte for byte as Go's encoding/json (Go >= 1.22) writes it, so
// text we generate matches what PocketBase sends:
//   - `"` and `\` escaped; \b \f \n \r \t in their short forms; other bytes < 0x20 as \u00XX;
//   - `<`, `>` and `&` as \u003c, \u003e, \u0026 (Go's default HTML-safe escaping);
//   - U+2028 and U+2029 as \u2028 and \u2029 (they end JavaScript string literals);
//   - each invalid UTF-8 byte as \ufffd; all other text copied unchanged.
//
// Header-only so http can use it without linking anything; schema's Go JSON writer uses it too.
#pragma once

#include <string>
#include <string_view>

#include "basalt/core/utf8.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

// How many bytes from `pos` on have class 0 (nothing to escape, ASCII), counted 16 at a time;
// stops at the first block of 16 that holds any other byte (or at the last whole block). Most
// text has nothing to escape, so this is the hot loop of every record written.
inline std::size_t plain_prefix(std::string_view text, std::size_t pos) noexcept {
  std::size_t i = pos;
#if defined(__SSE2__)
  // As signed bytes, < 0x20 catches the control characters and every byte >= 0x80 at once.
  const __m128i space = _mm_set1_epi8(0x20);
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i less = _mm_set1_epi8('<');
  const __m128i greater = _mm_set1_epi8('>');
  const __m128i amp = _mm_set1_epi8('&');
  while (i + 16 <= text.size()) {
    const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
    __m128i care = _mm_cmplt_epi8(block, space);
    care = _mm_or_si128(care, _mm_cmpeq_epi8(block, quote));
    care = _mm_or_si128(care, _mm_cmpeq_epi8(block, backslash));
    care = _mm_or_si128(care, _mm_cmpeq_epi8(block, less));
    care = _mm_or_si128(care, _mm_cmpeq_epi8(block, greater));
    care = _mm_or_si128(care, _mm_cmpeq_epi8(block, amp));
    if (_mm_movemask_epi8(care) != 0) break;
    i += 16;
  }
#endif
  return i - pos;
}

}  // namespace go_json_detail

// Appends `text` to `out` as a quoted JSON string.
inline void append_go_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  // Most keys and values have nothing to escape: found so, they are copied in one piece. The
  // scan stops at the first byte that is not plain ASCII, where the loop below goes on.
  std::size_t i = go_json_detail::plain_prefix(text, 0);
  while (i < text.size() &&
         go_json_detail::kByteClasses.of[static_cast<unsigned char>(text[i])] == 0) {
    ++i;
  }
  out.reserve(out.size() + text.size() + 2);
  out += '"';
  if (i == text.size()) {
    out.append(text.data(), text.size());
    out += '"';
    return;
  }
  std::size_t plain = 0;  // start of the run not yet copied
  auto flush = [&](std::size_t upto) { out.append(text.data() + plain, upto - plain); };
  while (i < text.size()) {
    i += go_json_detail::plain_prefix(text, i);
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
