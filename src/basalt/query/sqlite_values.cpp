#include "basalt/query/sqlite_values.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "basalt/query/text_scan.hpp"

namespace basalt::query::sqlite {
namespace {

bool is_space(char c) noexcept {
  return c == ' ' || (c >= '\t' && c <= '\r');
}
char to_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

bool is_null(const db::Value& v) noexcept {
  return std::holds_alternative<std::nullptr_t>(v);
}
bool is_number(const db::Value& v) noexcept {
  return std::holds_alternative<std::int64_t>(v) || std::holds_alternative<double>(v);
}

// sqlite3Atoi64 == 0: the whole text (blanks around allowed) is an integer that fits.
std::optional<std::int64_t> exact_integer(std::string_view text) {
  std::size_t i = 0;
  std::size_t n = text.size();
  while (i < n && is_space(text[i])) ++i;
  while (n > i && is_space(text[n - 1])) --n;
  bool negative = false;
  if (i < n && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  if (i == n) return std::nullopt;
  unsigned long long magnitude = 0;
  for (; i < n; ++i) {
    if (!is_digit(text[i])) return std::nullopt;
    unsigned digit = static_cast<unsigned>(text[i] - '0');
    if (magnitude > (std::numeric_limits<unsigned long long>::max() - digit) / 10) {
      return std::nullopt;
    }
    magnitude = magnitude * 10 + digit;
  }
  constexpr unsigned long long kMax = std::numeric_limits<std::int64_t>::max();
  if (negative) {
    if (magnitude > kMax + 1) return std::nullopt;
    return magnitude == kMax + 1 ? std::numeric_limits<std::int64_t>::min()
                                 : -static_cast<std::int64_t>(magnitude);
  }
  if (magnitude > kMax) return std::nullopt;
  return static_cast<std::int64_t>(magnitude);
}

// sqlite3RealSameAsInt (3.40).
bool real_same_as_int(double r, std::int64_t i) {
  if (r == 0.0) return true;
  double back = static_cast<double>(i);
  return std::memcmp(&r, &back, sizeof r) == 0 && i >= -2251799813685248LL &&
         i < 2251799813685248LL;
}

int compare_numbers(const db::Value& a, const db::Value& b) {
  if (const auto* ai = std::get_if<std::int64_t>(&a)) {
    if (const auto* bi = std::get_if<std::int64_t>(&b)) return *ai < *bi ? -1 : *ai > *bi;
    // sqlite3IntFloatCompare with long double: exact for every int64.
    long double x = static_cast<long double>(*ai);
    double r = std::get<double>(b);
    return x < r ? -1 : x > r ? 1 : 0;
  }
  double r = std::get<double>(a);
  if (const auto* bi = std::get_if<std::int64_t>(&b)) {
    long double x = static_cast<long double>(*bi);
    return r < x ? -1 : r > x ? 1 : 0;
  }
  double s = std::get<double>(b);
  return r < s ? -1 : r > s ? 1 : 0;
}

// UTF-8 character at `p` (sqlite3Utf8Read); 0 at the end.
std::uint32_t utf8_read(const unsigned char*& p, const unsigned char* end) {
  if (p >= end) return 0;
  std::uint32_t c = *p++;
  if (c >= 0xc0) {
    static const unsigned char kTrans[] = {
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
        0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19,
        0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
        0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x00, 0x01, 0x02, 0x03,
        0x04, 0x05, 0x06, 0x07, 0x00, 0x01, 0x02, 0x03, 0x00, 0x01, 0x00, 0x00,
    };
    c = kTrans[c - 0xc0];
    while (p < end && (*p & 0xc0) == 0x80) c = (c << 6) + (0x3f & *p++);
    if (c < 0x80 || (c & 0xFFFFF800) == 0xD800 || (c & 0xFFFFFFFE) == 0xFFFE) c = 0xFFFD;
  }
  return c;
}

enum Match { kMatch = 0, kNoMatch = 1, kNoWildcardMatch = 2 };

// func.c patternCompare for LIKE: matchAll '%', matchOne '_', escape '\', no case for ASCII.
int pattern_compare(const unsigned char* pattern, const unsigned char* pattern_end,
                    const unsigned char* text, const unsigned char* text_end) {
  constexpr std::uint32_t kAll = '%';
  constexpr std::uint32_t kOne = '_';
  constexpr std::uint32_t kEscape = '\\';
  const unsigned char* escaped = nullptr;
  std::uint32_t c;
  while ((c = utf8_read(pattern, pattern_end)) != 0) {
    if (c == kAll) {
      while ((c = utf8_read(pattern, pattern_end)) == kAll || c == kOne) {
        if (c == kOne && utf8_read(text, text_end) == 0) return kNoWildcardMatch;
      }
      if (c == 0) return kMatch;
      if (c == kEscape) {
        c = utf8_read(pattern, pattern_end);
        if (c == 0) return kNoWildcardMatch;
      }
      if (c < 0x80) {
        char lower = to_lower(static_cast<char>(c));
        while (true) {
          while (text < text_end && to_lower(static_cast<char>(*text)) != lower) ++text;
          if (text >= text_end) break;
          ++text;
          int result = pattern_compare(pattern, pattern_end, text, text_end);
          if (result != kNoMatch) return result;
        }
      } else {
        std::uint32_t c2;
        while ((c2 = utf8_read(text, text_end)) != 0) {
          if (c2 != c) continue;
          int result = pattern_compare(pattern, pattern_end, text, text_end);
          if (result != kNoMatch) return result;
        }
      }
      return kNoWildcardMatch;
    }
    if (c == kEscape) {
      c = utf8_read(pattern, pattern_end);
      if (c == 0) return kNoMatch;
      escaped = pattern;
    }
    std::uint32_t c2 = utf8_read(text, text_end);
    if (c == c2) continue;
    if (c < 0x80 && c2 < 0x80 &&
        to_lower(static_cast<char>(c)) == to_lower(static_cast<char>(c2))) {
      continue;
    }
    if (c == kOne && pattern != escaped && c2 != 0) continue;
    return kNoMatch;
  }
  return text >= text_end ? kMatch : kNoMatch;
}

// SQLite reads text up to its first NUL byte in LIKE.
std::string_view c_string(const std::string& text) {
  std::size_t nul = text.find('\0');
  return nul == std::string::npos ? std::string_view(text) : std::string_view(text).substr(0, nul);
}

}  // namespace

std::string real_to_text(double value) {
  if (value == 0.0) return "0.0";
  if (std::isinf(value)) return value > 0 ? "Inf" : "-Inf";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.15g", value);
  std::string text(buffer);
  std::size_t exponent = text.find('e');
  std::string_view mantissa = std::string_view(text).substr(0, exponent);
  if (mantissa.find('.') == std::string_view::npos) {
    text.insert(exponent == std::string::npos ? text.size() : exponent, ".0");
  }
  return text;
}

std::string to_text(const db::Value& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return std::to_string(*integer);
  if (const auto* real = std::get_if<double>(&value)) return real_to_text(*real);
  if (const auto* blob = std::get_if<db::Blob>(&value)) return blob->bytes;
  return {};
}

ParsedNumber parse_number(std::string_view text) {
  std::size_t i = 0;
  std::size_t n = text.size();
  while (i < n && is_space(text[i])) ++i;
  std::size_t start = i;
  if (i < n && (text[i] == '-' || text[i] == '+')) ++i;
  int digits = 0;
  int kind = 1;
  bool exponent_valid = true;
  while (i < n && is_digit(text[i])) ++i, ++digits;
  if (i < n && text[i] == '.') {
    ++kind;
    ++i;
    while (i < n && is_digit(text[i])) ++i, ++digits;
  }
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++kind;
    ++i;
    exponent_valid = false;
    if (i < n && (text[i] == '-' || text[i] == '+')) ++i;
    while (i < n && is_digit(text[i])) ++i, exponent_valid = true;
  }
  std::size_t end = i;
  while (i < n && is_space(text[i])) ++i;
  ParsedNumber parsed;
  if (i == n && digits > 0 && exponent_valid) {
    parsed.kind = kind == 1 ? 1 : 2;
  } else if (kind >= 2 && digits > 0) {
    parsed.kind = -1;
  }
  if (parsed.kind != 0) {
    std::string number(text.substr(start, end - start));
    if (!exponent_valid) number.resize(number.find_first_of("eE"));
    parsed.value = std::strtod(number.c_str(), nullptr);
  }
  return parsed;
}

db::Value numeric_affinity(db::Value value) {
  const auto* text = std::get_if<std::string>(&value);
  if (text == nullptr) return value;
  ParsedNumber parsed = parse_number(*text);
  if (parsed.kind <= 0) return value;
  if (parsed.kind == 1) {
    double r = parsed.value;
    if (std::fabs(r) < 9.2e18) {
      auto i = static_cast<std::int64_t>(r);
      if (real_same_as_int(r, i)) return i;
    }
    if (auto exact = exact_integer(*text)) return *exact;
  }
  return parsed.value;
}

db::Value text_affinity(db::Value value) {
  if (is_number(value)) return to_text(value);
  return value;
}

db::Value column_value(db::Value value, Affinity affinity) {
  switch (affinity) {
    case Affinity::kText:
      return text_affinity(std::move(value));
    case Affinity::kNumeric:
      return numeric_affinity(std::move(value));
    default:
      return value;
  }
}

int compare_values(const db::Value& a, const db::Value& b) {
  auto rank = [](const db::Value& v) {
    if (is_null(v)) return 0;
    if (is_number(v)) return 1;
    if (std::holds_alternative<std::string>(v)) return 2;
    return 3;
  };
  int ra = rank(a);
  int rb = rank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  if (ra == 1) return compare_numbers(a, b);
  std::string_view x = ra == 2 ? std::string_view(std::get<std::string>(a))
                               : std::string_view(std::get<db::Blob>(a).bytes);
  std::string_view y = ra == 2 ? std::string_view(std::get<std::string>(b))
                               : std::string_view(std::get<db::Blob>(b).bytes);
  int c = x.compare(y);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

std::optional<bool> compare(CompareOp op, db::Value a, Affinity a_affinity, db::Value b,
                            Affinity b_affinity) {
  // sqlite3CompareAffinity: two columns compare numerically if either is numeric, else as
  // they are; a column and an expression use the column's affinity.
  Affinity affinity = Affinity::kNone;
  if (a_affinity != Affinity::kNone && b_affinity != Affinity::kNone) {
    if (a_affinity == Affinity::kNumeric || b_affinity == Affinity::kNumeric) {
      affinity = Affinity::kNumeric;
    }
  } else {
    affinity = a_affinity != Affinity::kNone ? a_affinity : b_affinity;
  }
  if (affinity == Affinity::kNumeric) {
    a = numeric_affinity(std::move(a));
    b = numeric_affinity(std::move(b));
  } else if (affinity == Affinity::kText) {
    a = text_affinity(std::move(a));
    b = text_affinity(std::move(b));
  }
  bool a_null = is_null(a);
  bool b_null = is_null(b);
  if (op == CompareOp::kIs || op == CompareOp::kIsNot) {
    bool same = a_null || b_null ? a_null == b_null : compare_values(a, b) == 0;
    return op == CompareOp::kIs ? same : !same;
  }
  if (a_null || b_null) return std::nullopt;
  int c = compare_values(a, b);
  switch (op) {
    case CompareOp::kEq:
      return c == 0;
    case CompareOp::kLt:
      return c < 0;
    case CompareOp::kLte:
      return c <= 0;
    case CompareOp::kGt:
      return c > 0;
    case CompareOp::kGte:
      return c >= 0;
    default:
      return std::nullopt;
  }
}

std::optional<bool> like(const db::Value& value, const db::Value& pattern) {
  if (is_null(value) || is_null(pattern)) return std::nullopt;
  std::string text = to_text(value);
  std::string pat = to_text(pattern);
  std::string_view t = c_string(text);
  std::string_view p = c_string(pat);
  const auto* pb = reinterpret_cast<const unsigned char*>(p.data());
  const auto* tb = reinterpret_cast<const unsigned char*>(t.data());
  return pattern_compare(pb, pb + p.size(), tb, tb + t.size()) == kMatch;
}

db::Value lower(const db::Value& value) {
  if (is_null(value)) return nullptr;
  std::string text = to_text(value);
  for (char& c : text) c = to_lower(c);
  return text;
}

std::optional<double> math_argument(const db::Value& value) {
  db::Value number = numeric_affinity(value);
  if (const auto* integer = std::get_if<std::int64_t>(&number)) {
    return static_cast<double>(*integer);
  }
  if (const auto* real = std::get_if<double>(&number)) return *real;
  return std::nullopt;
}

}  // namespace basalt::query::sqlite
