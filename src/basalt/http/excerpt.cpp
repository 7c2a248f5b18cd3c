#include "basalt/http/excerpt.hpp"

#include <limits>
#include <optional>

#include "basalt/core/api_error.hpp"
#include "basalt/core/utf8.hpp"
#include "basalt/http/ascii.hpp"
#include "basalt/http/html_text.hpp"

namespace basalt::http {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// cast's trimDecimal: "12.50" -> "12", "-.5" -> "-0"; text that is not a plain decimal
// number (or has no '.') is returned as is.
std::string trim_decimal(std::string_view text) {
  if (text.find('.') == std::string_view::npos) return std::string(text);
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  while (i < text.size() && is_digit(text[i])) ++i;
  const std::size_t integer_end = i;
  if (i >= text.size() || text[i] != '.') return std::string(text);
  ++i;
  while (i < text.size() && is_digit(text[i])) ++i;
  if (i != text.size()) return std::string(text);
  std::string integer(text.substr(0, integer_end));
  if (integer.empty() || integer == "+" || integer == "-") integer += '0';
  return integer;
}

// strconv's underscoreOK: underscores only between digits, or after a base prefix.
bool underscores_ok(std::string_view digits) {
  char saw = '^';  // '^' start, '0' digit or prefix, '_' underscore, '!' other
  std::size_t i = 0;
  bool hex = false;
  if (digits.size() >= 2 && digits[0] == '0') {
    char prefix = ascii_lower(digits[1]);
    if (prefix == 'b' || prefix == 'o' || prefix == 'x') {
      i = 2;
      saw = '0';
      hex = prefix == 'x';
    }
  }
  for (; i < digits.size(); ++i) {
    char c = ascii_lower(digits[i]);
    if (is_digit(c) || (hex && c >= 'a' && c <= 'f')) {
      saw = '0';
    } else if (c == '_') {
      if (saw != '0') return false;
      saw = '_';
    } else {
      if (saw == '_') return false;
      saw = '!';
    }
  }
  return saw != '_';
}

// strconv.ParseInt(text, 0, 64): sign, then 0b/0o/0x or a leading 0 (octal) picks the base.
std::optional<std::int64_t> parse_go_int(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return std::nullopt;
  const std::string_view unsigned_text = text;
  unsigned base = 10;
  if (text[0] == '0') {
    char prefix = text.size() >= 3 ? ascii_lower(text[1]) : '\0';
    base = prefix == 'b' ? 2 : prefix == 'x' ? 16 : 8;
    text.remove_prefix(prefix == 'b' || prefix == 'o' || prefix == 'x' ? 2 : 1);
  }
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t value = 0;
  bool underscores = false;
  for (char c : text) {
    if (c == '_') {
      underscores = true;
      continue;
    }
    char lower = ascii_lower(c);
    unsigned digit = is_digit(c)                    ? static_cast<unsigned>(c - '0')
                     : lower >= 'a' && lower <= 'z' ? static_cast<unsigned>(lower - 'a' + 10)
                                                    : base;
    if (digit >= base) return std::nullopt;
    if (value > (kMax - digit) / base) return std::nullopt;
    value = value * base + digit;
  }
  if (underscores && !underscores_ok(unsigned_text)) return std::nullopt;
  constexpr std::uint64_t kLimit = std::uint64_t{1} << 63;
  if (negative) {
    if (value > kLimit) return std::nullopt;
    return value == kLimit ? std::numeric_limits<std::int64_t>::min()
                           : -static_cast<std::int64_t>(value);
  }
  if (value >= kLimit) return std::nullopt;
  return static_cast<std::int64_t>(value);
}

// cast.ToInt on a string: the number, or 0 when it does not parse.
std::int64_t cast_to_int(std::string_view text) {
  if (text.empty()) return 0;
  return parse_go_int(trim_decimal(text)).value_or(0);
}

// cast.ToBool on a string: strconv.ParseBool, false when it does not parse.
bool cast_to_bool(std::string_view text) {
  return text == "1" || text == "t" || text == "T" || text == "TRUE" || text == "true" ||
         text == "True";
}

std::size_t saturating_size(std::int64_t value, std::size_t add) {
  constexpr std::size_t kMax = std::numeric_limits<std::size_t>::max();
  auto unsigned_value = static_cast<std::uint64_t>(value);
  return unsigned_value > kMax - add ? kMax : static_cast<std::size_t>(unsigned_value) + add;
}

}  // namespace

ExcerptModifier ExcerptModifier::from_args(std::span<const std::string> args) {
  if (args.empty() || args.size() > 2) throw core::ApiError::bad_request();
  std::int64_t max_chars = cast_to_int(args[0]);
  if (max_chars <= 0) throw core::ApiError::bad_request();
  return ExcerptModifier(max_chars, args.size() > 1 && cast_to_bool(args[1]));
}

std::string ExcerptModifier::apply(std::string_view html) const {
  // PocketBase stops entering elements past max + 2 bytes of text (+2 for the spaces that
  // trimming removes).
  std::string text =
      html_plain_text(html, saturating_size(max_chars_, 2), saturating_size(max_chars_, 0));
  std::string_view trimmed = core::trim_unicode_space(text);
  if (trimmed.size() <= static_cast<std::uint64_t>(max_chars_)) return std::string(trimmed);
  std::size_t end = 0;
  for (std::int64_t runes = 0; end < trimmed.size() && runes < max_chars_; ++runes) {
    end += core::decode_utf8(trimmed, end).size;
  }
  if (end >= trimmed.size()) return std::string(trimmed);  // more bytes, not more runes
  std::string result(core::trim_unicode_space(trimmed.substr(0, end)));
  if (with_ellipsis_) result += "...";
  return result;
}

}  // namespace basalt::http
