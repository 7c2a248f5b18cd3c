#include "basalt/schema/generator_pattern.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <utility>

#include "basalt/schema/ids.hpp"

namespace basalt::schema {
namespace {

constexpr std::string_view kMeta = ".[](){}*+?|^$\\";

bool is_meta(char c) {
  return kMeta.find(c) != std::string_view::npos;
}

std::string digit_class() {
  return "0123456789";
}
std::string word_class() {
  return "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
}

std::size_t utf8_width(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c >> 5) == 0x6) return 2;
  if ((c >> 4) == 0xE) return 3;
  if ((c >> 3) == 0x1E) return 4;
  return 1;
}

std::size_t pick(std::size_t min, std::size_t max) {
  if (min >= max) return min;
  return min + random_uniform(static_cast<std::uint32_t>(max - min + 1));
}

}  // namespace

GeneratorPattern::GeneratorPattern(std::string source) : source_(std::move(source)) {
  if (!source_.empty() && !parse()) atoms_.clear();
}

bool GeneratorPattern::parse() {
  std::string_view s = source_;
  std::size_t i = 0;
  std::size_t end = s.size();
  if (i < end && s[i] == '^') ++i;
  if (end > i && s[end - 1] == '$' && (end < 2 || s[end - 2] != '\\')) --end;

  auto fail = [this](std::string message) {
    error_ = std::move(message);
    return false;
  };

  std::size_t total_max = 0;
  while (i < end) {
    Atom atom;
    char c = s[i];
    if (c == '[') {
      ++i;
      if (i < end && s[i] == '^') return fail("negated character classes are not supported");
      std::string chars;
      bool closed = false;
      while (i < end) {
        char first = s[i];
        if (first == ']' && !chars.empty()) {
          closed = true;
          ++i;
          break;
        }
        if (first == '\\') {
          if (i + 1 >= end) return fail("unterminated escape in character class");
          char esc = s[i + 1];
          i += 2;
          if (esc == 'd') {
            chars += digit_class();
            continue;
          }
          if (esc == 'w') {
            chars += word_class();
            continue;
          }
          if (std::isalnum(static_cast<unsigned char>(esc))) {
            return fail(std::string("unsupported escape \\") + esc + " in character class");
          }
          first = esc;
        } else {
          ++i;
        }
        if (static_cast<unsigned char>(first) >= 0x80) {
          return fail("character classes may only hold ASCII characters");
        }
        if (i + 1 < end && s[i] == '-' && s[i + 1] != ']') {
          char last = s[i + 1];
          if (last == '\\' || static_cast<unsigned char>(last) >= 0x80) {
            return fail("unsupported character range");
          }
          if (last < first) return fail("invalid character range");
          for (char r = first; r <= last; ++r) {
            chars += r;
            if (r == last) break;
          }
          i += 2;
        } else {
          chars += first;
        }
      }
      if (!closed) return fail("missing closing ]");
      std::sort(chars.begin(), chars.end());
      chars.erase(std::unique(chars.begin(), chars.end()), chars.end());
      atom.chars = std::move(chars);
    } else if (c == '\\') {
      if (i + 1 >= end) return fail("trailing backslash");
      char esc = s[i + 1];
      i += 2;
      if (esc == 'd') {
        atom.chars = digit_class();
      } else if (esc == 'w') {
        atom.chars = word_class();
      } else if (!std::isalnum(static_cast<unsigned char>(esc))) {
        atom.chars = std::string(1, esc);
        atom.literal = true;
      } else {
        return fail(std::string("unsupported escape \\") + esc);
      }
    } else if (is_meta(c)) {
      return fail(std::string("unsupported regex syntax '") + c +
                  "' - only literals and [...]{n} character classes are supported");
    } else {
      std::size_t width = std::min(utf8_width(static_cast<unsigned char>(c)), end - i);
      atom.chars = std::string(s.substr(i, width));
      atom.literal = true;
      i += width;
    }

    // Optional {n} / {n,m} quantifier.
    if (i < end && s[i] == '{') {
      std::size_t close = s.find('}', i);
      if (close == std::string_view::npos || close >= end) return fail("missing closing }");
      std::string_view body = s.substr(i + 1, close - i - 1);
      std::size_t comma = body.find(',');
      auto parse_count = [](std::string_view text, std::size_t& out) {
        if (text.empty()) return false;
        auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
        return ec == std::errc() && ptr == text.data() + text.size();
      };
      std::size_t min = 0;
      std::size_t max = 0;
      bool ok = comma == std::string_view::npos ? parse_count(body, min) && (max = min, true)
                                                : parse_count(body.substr(0, comma), min) &&
                                                      parse_count(body.substr(comma + 1), max);
      if (!ok) return fail("invalid {n} or {n,m} repetition");
      if (min > max) return fail("invalid repetition range");
      if (max > kMaxRepeat) return fail("repetition count exceeds 1000");
      atom.min = min;
      atom.max = max;
      i = close + 1;
    }
    if (i < end && (s[i] == '*' || s[i] == '+' || s[i] == '?')) {
      return fail(std::string("unsupported quantifier '") + s[i] + "' - use {n} or {n,m}");
    }
    total_max += atom.max * (atom.literal ? atom.chars.size() : 1);
    if (total_max > kMaxLength)
      return fail("the pattern could generate values over 5000 characters");
    atoms_.push_back(std::move(atom));
  }
  return true;
}

std::string GeneratorPattern::generate() const {
  std::string out;
  if (!valid()) return out;
  for (const Atom& atom : atoms_) {
    std::size_t count = pick(atom.min, atom.max);
    if (atom.literal) {
      for (std::size_t k = 0; k < count; ++k) out += atom.chars;
    } else {
      out += random_string(count, atom.chars);
    }
  }
  return out;
}

}  // namespace basalt::schema
