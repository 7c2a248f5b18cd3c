#include "basalt/query/sqlite_json.hpp"

#include <cstdlib>
#include <limits>

#include "basalt/query/text_scan.hpp"

namespace basalt::query {
namespace {

constexpr int kMaxDepth = 2000;

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
bool is_hex4(std::string_view text, std::size_t i) {
  if (i + 4 > text.size()) return false;
  for (std::size_t k = i; k < i + 4; ++k) {
    if (hex_value(text[k]) < 0) return false;
  }
  return true;
}
std::uint32_t hex4(std::string_view text, std::size_t i) {
  std::uint32_t v = 0;
  for (std::size_t k = i; k < i + 4 && k < text.size(); ++k) {
    int h = hex_value(text[k]);
    v = v * 16 + static_cast<std::uint32_t>(h < 0 ? 0 : h);
  }
  return v;
}

// json.c jsonReturn for a string with escapes.
std::string unescape(std::string_view raw) {
  std::string out;
  std::string_view body = raw.substr(1, raw.size() - 2);
  for (std::size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    c = body[++i];
    if (c == 'u') {
      std::uint32_t v = hex4(body, i + 1);
      i += 4;
      if (v == 0) break;
      if (v <= 0x7f) {
        out += static_cast<char>(v);
      } else if (v <= 0x7ff) {
        out += static_cast<char>(0xc0 | (v >> 6));
        out += static_cast<char>(0x80 | (v & 0x3f));
      } else {
        std::uint32_t low = 0;
        if ((v & 0xfc00) == 0xd800 && i + 6 < body.size() && body[i + 1] == '\\' &&
            body[i + 2] == 'u' && ((low = hex4(body, i + 3)) & 0xfc00) == 0xdc00) {
          v = ((v & 0x3ff) << 10) + (low & 0x3ff) + 0x10000;
          i += 6;
          out += static_cast<char>(0xf0 | (v >> 18));
          out += static_cast<char>(0x80 | ((v >> 12) & 0x3f));
          out += static_cast<char>(0x80 | ((v >> 6) & 0x3f));
          out += static_cast<char>(0x80 | (v & 0x3f));
        } else {
          out += static_cast<char>(0xe0 | (v >> 12));
          out += static_cast<char>(0x80 | ((v >> 6) & 0x3f));
          out += static_cast<char>(0x80 | (v & 0x3f));
        }
      }
      continue;
    }
    switch (c) {
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      default:
        out += c;  // \" \\ \/
        break;
    }
  }
  return out;
}

// json.c JSON_INT: int64 when it fits (with -9223372036854775808 allowed), else REAL.
db::Value integer_value(std::string_view raw) {
  bool negative = !raw.empty() && raw.front() == '-';
  std::string_view digits = negative ? raw.substr(1) : raw;
  unsigned long long magnitude = 0;
  constexpr unsigned long long kMax = std::numeric_limits<std::int64_t>::max();
  bool overflow = false;
  for (char c : digits) {
    unsigned d = static_cast<unsigned>(c - '0');
    if (magnitude > (kMax + 1 - d) / 10) {
      overflow = true;
      break;
    }
    magnitude = magnitude * 10 + d;
  }
  if (!overflow && magnitude <= kMax) {
    auto value = static_cast<std::int64_t>(magnitude);
    return negative ? -value : value;
  }
  if (!overflow && negative && magnitude == kMax + 1)
    return std::numeric_limits<std::int64_t>::min();
  return std::strtod(std::string(raw).c_str(), nullptr);
}

}  // namespace

std::optional<SqliteJson> SqliteJson::parse(std::string_view text) {
  std::size_t nul = text.find('\0');
  if (nul != std::string_view::npos) text = text.substr(0, nul);
  SqliteJson doc{std::string(text)};
  std::size_t i = 0;
  while (i < doc.text_.size() && is_blank(doc.text_[i])) ++i;
  if (!doc.parse_value(i, 0)) return std::nullopt;
  while (i < doc.text_.size() && is_blank(doc.text_[i])) ++i;
  if (i != doc.text_.size()) return std::nullopt;
  return doc;
}

bool SqliteJson::parse_value(std::size_t& i, int depth) {
  std::string_view z = text_;
  if (i >= z.size()) return false;
  char c = z[i];
  std::size_t node = nodes_.size();
  if (c == '{' || c == '[') {
    if (depth + 1 > kMaxDepth) return false;
    bool object = c == '{';
    nodes_.push_back({object ? Type::kObject : Type::kArray});
    ++i;
    bool first = true;
    while (true) {
      while (i < z.size() && is_blank(z[i])) ++i;
      if (i >= z.size()) return false;
      if (first && z[i] == (object ? '}' : ']')) {
        ++i;
        break;
      }
      if (object) {
        if (z[i] != '"') return false;
        if (!parse_value(i, depth + 1)) return false;
        while (i < z.size() && is_blank(z[i])) ++i;
        if (i >= z.size() || z[i] != ':') return false;
        ++i;
        while (i < z.size() && is_blank(z[i])) ++i;
      }
      if (!parse_value(i, depth + 1)) return false;
      first = false;
      while (i < z.size() && is_blank(z[i])) ++i;
      if (i >= z.size()) return false;
      if (z[i] == ',') {
        ++i;
        continue;
      }
      if (z[i] == (object ? '}' : ']')) {
        ++i;
        break;
      }
      return false;
    }
    nodes_[node].size = static_cast<std::uint32_t>(nodes_.size() - node);
    return true;
  }
  if (c == '"') {
    std::size_t j = i + 1;
    bool escaped = false;
    while (true) {
      if (j >= z.size()) return false;
      char d = z[j];
      if (static_cast<unsigned char>(d) <= 0x1f) return false;
      if (d == '\\') {
        escaped = true;
        ++j;
        if (j >= z.size()) return false;
        d = z[j];
        if (d == '"' || d == '\\' || d == '/' || d == 'b' || d == 'f' || d == 'n' || d == 'r' ||
            d == 't') {
          ++j;
          continue;
        }
        if (d == 'u' && is_hex4(z, j + 1)) {
          j += 5;
          continue;
        }
        return false;
      }
      if (d == '"') break;
      ++j;
    }
    nodes_.push_back({Type::kString, escaped, 1, static_cast<std::uint32_t>(i),
                      static_cast<std::uint32_t>(j + 1 - i)});
    i = j + 1;
    return true;
  }
  auto literal = [&](std::string_view word, Type type) {
    if (z.substr(i, word.size()) != word) return false;
    std::size_t after = i + word.size();
    if (after < z.size() && is_alnum(z[after])) return false;
    nodes_.push_back(
        {type, false, 1, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(word.size())});
    i = after;
    return true;
  };
  if (c == 'n') return literal("null", Type::kNull);
  if (c == 't') return literal("true", Type::kTrue);
  if (c == 'f') return literal("false", Type::kFalse);
  if (c == '-' || is_digit(c)) {
    std::size_t j = c == '-' ? i + 1 : i;
    if (j < z.size() && z[j] == '0' && j + 1 < z.size() && is_digit(z[j + 1])) return false;
    bool seen_point = false;
    bool seen_exponent = false;
    auto at = [&](std::size_t k) { return k < z.size() ? z[k] : '\0'; };
    for (j = i + 1;; ++j) {
      char d = at(j);
      if (is_digit(d)) continue;
      if (d == '.') {
        if (z[j - 1] == '-' || seen_point) return false;
        seen_point = true;
        continue;
      }
      if (d == 'e' || d == 'E') {
        if (z[j - 1] < '0' || seen_exponent) return false;
        seen_point = seen_exponent = true;
        d = at(j + 1);
        if (d == '+' || d == '-') {
          ++j;
          d = at(j + 1);
        }
        if (d < '0' || d > '9') return false;
        continue;
      }
      break;
    }
    if (z[j - 1] < '0') return false;
    nodes_.push_back({seen_point ? Type::kReal : Type::kInt, false, 1,
                      static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j - i)});
    i = j;
    return true;
  }
  return false;
}

bool SqliteJson::is_array() const noexcept {
  return nodes_.front().type == Type::kArray;
}

std::optional<std::size_t> SqliteJson::child(std::size_t node, const JsonPathStep& step) const {
  const Node& parent = nodes_[node];
  std::size_t end = node + parent.size;
  if (step.index) {
    if (parent.type != Type::kArray) return std::nullopt;
    std::size_t wanted = 0;
    for (char c : step.key) {
      if (wanted > (std::numeric_limits<std::size_t>::max() - 9) / 10) return std::nullopt;
      wanted = wanted * 10 + static_cast<std::size_t>(c - '0');
    }
    std::size_t index = 0;
    for (std::size_t k = node + 1; k < end; k += nodes_[k].size, ++index) {
      if (index == wanted) return k;
    }
    return std::nullopt;
  }
  if (parent.type != Type::kObject) return std::nullopt;
  for (std::size_t k = node + 1; k < end;) {
    const Node& key = nodes_[k];
    std::size_t value = k + key.size;
    std::string_view key_text = raw(key);
    if (key_text.size() == step.key.size() + 2 && key_text.substr(1, step.key.size()) == step.key) {
      return value;
    }
    k = value + nodes_[value].size;
  }
  return std::nullopt;
}

db::Value SqliteJson::extract(std::span<const JsonPathStep> path) const {
  std::size_t node = 0;
  for (const JsonPathStep& step : path) {
    auto next = child(node, step);
    if (!next) return nullptr;
    node = *next;
  }
  return value_of(node);
}

std::vector<db::Value> SqliteJson::each() const {
  std::vector<db::Value> values;
  const Node& root = nodes_.front();
  if (root.type == Type::kArray) {
    for (std::size_t k = 1; k < root.size; k += nodes_[k].size) values.push_back(value_of(k));
  } else if (root.type == Type::kObject) {
    for (std::size_t k = 1; k < root.size;) {
      std::size_t value = k + nodes_[k].size;
      values.push_back(value_of(value));
      k = value + nodes_[value].size;
    }
  } else {
    values.push_back(value_of(0));
  }
  return values;
}

std::int64_t SqliteJson::array_length() const {
  const Node& root = nodes_.front();
  if (root.type != Type::kArray) return 0;
  std::int64_t count = 0;
  for (std::size_t k = 1; k < root.size; k += nodes_[k].size) ++count;
  return count;
}

db::Value SqliteJson::value_of(std::size_t node) const {
  const Node& n = nodes_[node];
  switch (n.type) {
    case Type::kNull:
      return nullptr;
    case Type::kTrue:
      return std::int64_t{1};
    case Type::kFalse:
      return std::int64_t{0};
    case Type::kInt:
      return integer_value(raw(n));
    case Type::kReal:
      return std::strtod(std::string(raw(n)).c_str(), nullptr);
    case Type::kString:
      if (!n.escaped) return std::string(raw(n).substr(1, n.length - 2));
      return unescape(raw(n));
    case Type::kArray:
    case Type::kObject: {
      std::string out;
      render(node, out);
      return out;
    }
  }
  return nullptr;
}

void SqliteJson::render(std::size_t node, std::string& out) const {
  const Node& n = nodes_[node];
  if (n.type != Type::kArray && n.type != Type::kObject) {
    out += raw(n);
    return;
  }
  bool object = n.type == Type::kObject;
  out += object ? '{' : '[';
  bool first = true;
  for (std::size_t k = node + 1; k < node + n.size;) {
    if (!first) out += ',';
    first = false;
    if (object) {
      out += raw(nodes_[k]);
      out += ':';
      k += nodes_[k].size;
    }
    render(k, out);
    k += nodes_[k].size;
  }
  out += object ? '}' : ']';
}

}  // namespace basalt::query
