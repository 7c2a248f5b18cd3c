// UTF-8 decoding, encoding and whitespace with Go's rules, for code that must treat text the
// way PocketBase does (JSON string decoding, rune counting, strings.TrimSpace).
//
// decode_utf8 follows Go's utf8.DecodeRune: an invalid, truncated or overlong sequence, an
// encoded surrogate or a value past U+10FFFF decodes as U+FFFD of size 1, so a caller that
// steps by `size` always advances and sees every bad byte as one replacement character.
//
// Header-only: a handful of small inline functions that core, http and schema may all use
// without a link dependency.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace basalt::core {

inline constexpr char32_t kReplacementChar = 0xFFFD;

struct Utf8Rune {
  char32_t code_point;
  std::size_t size;  // bytes consumed, >= 1
};

// The rune starting at text[pos]; requires pos < text.size().
inline Utf8Rune decode_utf8(std::string_view text, std::size_t pos) noexcept {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[pos + i]); };
  const std::size_t left = text.size() - pos;
  const unsigned char b0 = byte(0);
  if (b0 < 0x80) return {b0, 1};
  constexpr Utf8Rune kInvalid{kReplacementChar, 1};
  // The accepted range of the second byte depends on the first (no overlongs, no surrogates,
  // nothing past U+10FFFF); later bytes are always 80..BF.
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  std::size_t size = 0;
  char32_t cp = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    size = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    size = 3;
    cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    size = 4;
    cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return kInvalid;
  }
  if (left < size) return kInvalid;
  if (byte(1) < lo || byte(1) > hi) return kInvalid;
  cp = (cp << 6) | (byte(1) & 0x3F);
  for (std::size_t i = 2; i < size; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return kInvalid;
    cp = (cp << 6) | (byte(i) & 0x3F);
  }
  return {cp, size};
}

// Appends `cp` as UTF-8; a surrogate or a value past U+10FFFF is written as U+FFFD.
inline void append_utf8(std::string& out, char32_t cp) {
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = kReplacementChar;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Go's unicode.IsSpace: ASCII \t \n \v \f \r and space, U+0085, U+00A0, and the Unicode
// White_Space characters above Latin-1.
inline bool is_unicode_space(char32_t cp) noexcept {
  switch (cp) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

// Go's strings.TrimSpace: `text` without leading and trailing Unicode whitespace.
inline std::string_view trim_unicode_space(std::string_view text) noexcept {
  std::size_t begin = 0;
  while (begin < text.size()) {
    Utf8Rune rune = decode_utf8(text, begin);
    if (!is_unicode_space(rune.code_point)) break;
    begin += rune.size;
  }
  std::size_t end = text.size();
  while (end > begin) {
    // Back up to the lead byte of the last rune (at most 3 continuation bytes).
    std::size_t start = end - 1;
    while (start > begin && end - start < 4 &&
           (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) {
      --start;
    }
    Utf8Rune rune = decode_utf8(text.substr(0, end), start);
    if (start + rune.size != end) break;  // a stray byte: not a space
    if (!is_unicode_space(rune.code_point)) break;
    end = start;
  }
  return text.substr(begin, end - begin);
}

}  // namespace basalt::core
