#include "basalt/files/text_charset.hpp"

#include <array>

#include "basalt/core/utf8.hpp"

namespace basalt::files {
namespace {

enum class ByteClass : unsigned char { kNever, kText, kIso, kExtended };

// file(1)'s classes of bytes in text, which the detector PocketBase uses shares: BEL..CR,
// ESC and 0x20..0x7E are text, 0x85 (NEL) too; A0..FF occur in ISO-8859 text; 80..9F in
// other extended ASCII.
constexpr ByteClass class_of(unsigned char b) noexcept {
  if ((b >= 0x07 && b <= 0x0D) || b == 0x1B || (b >= 0x20 && b <= 0x7E) || b == 0x85) {
    return ByteClass::kText;
  }
  if (b >= 0xA0) return ByteClass::kIso;
  if (b >= 0x80) return ByteClass::kExtended;
  return ByteClass::kNever;
}

std::string_view from_bom(std::string_view head) noexcept {
  struct Bom {
    std::string_view bytes;
    std::string_view charset;
  };
  // Longest first: the UTF-32LE mark starts with the UTF-16LE one.
  static constexpr std::array<Bom, 5> kBoms = {{
      {"\xEF\xBB\xBF", "utf-8"},
      {std::string_view("\x00\x00\xFE\xFF", 4), "utf-32be"},
      {std::string_view("\xFF\xFE\x00\x00", 4), "utf-32le"},
      {"\xFE\xFF", "utf-16be"},
      {"\xFF\xFE", "utf-16le"},
  }};
  for (const Bom& bom : kBoms) {
    if (head.starts_with(bom.bytes)) return bom.charset;
  }
  return {};
}

// Drops a multi-byte rune the sniff cut in two: at most the last 3 bytes, from the start byte of
// the last rune on, when that start byte is not ASCII.
std::string_view without_cut_rune(std::string_view head) noexcept {
  for (std::size_t back = 1; back <= 3 && back <= head.size(); ++back) {
    const auto b = static_cast<unsigned char>(head[head.size() - back]);
    if (b < 0x80) break;
    if ((b & 0xC0) != 0x80) return head.substr(0, head.size() - back);  // a rune's first byte
  }
  return head;
}

bool valid_utf8_with_high_bytes(std::string_view text) noexcept {
  bool high = false;
  for (std::size_t at = 0; at < text.size();) {
    const core::Utf8Rune rune = core::decode_utf8(text, at);
    if (rune.code_point == core::kReplacementChar && rune.size == 1) return false;
    if (rune.size > 1) high = true;
    at += rune.size;
  }
  return high;
}

}  // namespace

std::string text_charset(std::string_view head) {
  if (head.empty()) return {};
  if (std::string_view bom = from_bom(head); !bom.empty()) return std::string(bom);
  if (valid_utf8_with_high_bytes(without_cut_rune(head))) return "utf-8";
  bool ascii = true;
  bool nel = false;
  for (char c : head) {
    const auto b = static_cast<unsigned char>(c);
    const ByteClass kind = class_of(b);
    if (kind != ByteClass::kText && kind != ByteClass::kIso) return {};
    if (kind != ByteClass::kText) ascii = false;
    if (b == 0x85) nel = true;
  }
  if (ascii) return "utf-8";  // ASCII is UTF-8 (as the W3C recommends naming it)
  return nel ? "windows-1252" : "iso-8859-1";
}

std::string served_type_with_charset(std::string_view detected, std::string_view head) {
  std::string out(detected);
  if (detected != "text/plain") return out;
  const std::string charset = text_charset(head);
  if (!charset.empty()) out += "; charset=" + charset;
  return out;
}

}  // namespace basalt::files
