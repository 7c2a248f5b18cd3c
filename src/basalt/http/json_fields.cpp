#include "basalt/http/json_fields.hpp"

#include <algorithm>

#include "basalt/core/api_error.hpp"
#include "basalt/core/go_json_string.hpp"
#include "basalt/core/utf8.hpp"

namespace basalt::http {
namespace {

// ---- The spec text ---------------------------------------------------------------------

// `text` with NUL ending it (Go's tokenizer reads rune 0 as its end) and every invalid UTF-8
// byte replaced by U+FFFD (its ReadRune's reading).
std::string normalized_spec(std::string_view text) {
  text = text.substr(0, text.find('\0'));
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    core::Utf8Rune rune = core::decode_utf8(text, i);
    if (rune.code_point == core::kReplacementChar && rune.size == 1) {
      core::append_utf8(out, core::kReplacementChar);
    } else {
      out.append(text, i, rune.size);
    }
    i += rune.size;
  }
  return out;
}

// The tokenizer's trim set: its whitespace (\t \n \v \f \r space U+0085 U+00A0) minus the
// separators.
std::string_view trim_token(std::string_view token, std::string_view separators) {
  auto space_at_front = [&](std::string_view t) -> std::size_t {
    if (t.empty()) return 0;
    char c = t.front();
    if (std::string_view(" \t\n\v\f\r").find(c) != std::string_view::npos) {
      return separators.find(c) == std::string_view::npos ? 1 : 0;
    }
    return t.starts_with("\xC2\x85") || t.starts_with("\xC2\xA0") ? 2 : 0;
  };
  auto space_at_back = [&](std::string_view t) -> std::size_t {
    if (t.empty()) return 0;
    char c = t.back();
    if (std::string_view(" \t\n\v\f\r").find(c) != std::string_view::npos) {
      return separators.find(c) == std::string_view::npos ? 1 : 0;
    }
    return t.ends_with("\xC2\x85") || t.ends_with("\xC2\xA0") ? 2 : 0;
  };
  while (std::size_t n = space_at_front(token)) token.remove_prefix(n);
  while (std::size_t n = space_at_back(token)) token.remove_suffix(n);
  return token;
}

// PocketBase's tools/tokenizer: splits at `separators` outside quotes and (unless
// `parentheses_are_text`) outside parentheses; a quote right after a backslash does not
// count. Tokens are trimmed and empty ones dropped. Unbalanced text is an error.
std::vector<std::string> tokenize(std::string_view text, std::string_view separators,
                                  bool parentheses_are_text) {
  std::vector<std::string> tokens;
  std::size_t begin = 0;
  int depth = 0;
  char quote = 0;
  char previous = 0;  // UTF-8 continuation bytes never equal the ASCII it is compared with
  auto finish = [&](std::size_t end) {
    std::string_view token = trim_token(text.substr(begin, end - begin), separators);
    if (!token.empty()) tokens.emplace_back(token);
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (previous != '\\') {
      if (!parentheses_are_text && c == '(' && quote == 0) {
        ++depth;
      } else if (!parentheses_are_text && c == ')' && depth > 0 && quote == 0) {
        --depth;
      } else if (c == '\'' || c == '"' || c == '`') {
        if (quote == c) {
          quote = 0;
        } else if (quote == 0) {
          quote = c;
        }
      }
    }
    if (separators.find(c) != std::string_view::npos && depth == 0 && quote == 0) {
      finish(i);
      begin = i + 1;
      previous = 0;
      continue;
    }
    previous = c;
  }
  if (depth > 0 || quote != 0) throw core::ApiError::bad_request();
  finish(text.size());
  return tokens;
}

// `excerpt(10, true)` -> the modifier (modifiers.go initModifer: split at ( ) , and space).
ExcerptModifier parse_modifier(std::string_view text) {
  std::vector<std::string> parts = tokenize(text, "(), ", true);
  if (parts.empty() || parts.front() != "excerpt") throw core::ApiError::bad_request();
  return ExcerptModifier::from_args(std::span<const std::string>(parts).subspan(1));
}

FieldNode& child_or_insert(FieldNode& node, std::string_view name) {
  auto it =
      std::lower_bound(node.children.begin(), node.children.end(), name,
                       [](const FieldNode& child, std::string_view n) { return child.name < n; });
  if (it == node.children.end() || it->name != name) {
    FieldNode child;
    child.name = std::string(name);
    it = node.children.insert(it, std::move(child));
  }
  return *it;
}

// ---- JSON ------------------------------------------------------------------------------

constexpr int kMaxDepth = 1000;

bool is_json_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char32_t read_hex4(std::string_view text, std::size_t pos) {
  char32_t value = 0;
  for (std::size_t i = pos; i < pos + 4; ++i) value = value * 16 + hex_digit(text[i]);
  return value;
}

// Decodes the inside of a JSON string the scanner has validated, as Go's decoder does: a
// lone surrogate escape and every invalid UTF-8 byte become U+FFFD, so `out` is valid UTF-8.
void decode_json_string(std::string_view inner, std::string& out) {
  for (std::size_t i = 0; i < inner.size();) {
    const char c = inner[i];
    if (c == '\\') {
      const char e = inner[i + 1];
      i += 2;
      switch (e) {
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
        case 'u': {
          char32_t cp = read_hex4(inner, i);
          i += 4;
          if (cp >= 0xD800 && cp <= 0xDBFF && inner.substr(i, 2) == "\\u") {
            char32_t low = read_hex4(inner, i + 2);
            if (low >= 0xDC00 && low <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
              i += 6;
            }
          }
          core::append_utf8(out, cp);  // a surrogate left alone is written as U+FFFD
          break;
        }
        default:  // " \ /
          out += e;
          break;
      }
    } else if (static_cast<unsigned char>(c) < 0x80) {
      out += c;
      ++i;
    } else {
      core::Utf8Rune rune = core::decode_utf8(inner, i);
      if (rune.code_point == core::kReplacementChar && rune.size == 1) {
        core::append_utf8(out, core::kReplacementChar);
      } else {
        out.append(inner, i, rune.size);
      }
      i += rune.size;
    }
  }
}

// One pass over the document: validates everything, appends what is picked to `out`.
// Every method starts at a value (possibly after whitespace) and ends just past it; false
// means the text is not valid JSON (or too deep), after which `out` is garbage.
class Projector {
 public:
  Projector(std::string_view text, std::string& out) : text_(text), out_(out) {}

  bool document(const FieldNode& fields, bool list_envelope) {
    skip_space();
    out_.append(text_.substr(0, pos_));
    bool ok = list_envelope ? (peek() == '{' ? envelope(fields) : copy_value(0))
                            : project_value(fields, 0);
    if (!ok) return false;
    const std::size_t end = pos_;
    skip_space();
    if (pos_ != text_.size()) return false;
    out_.append(text_.substr(end));
    return true;
  }

 private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skip_space() {
    while (pos_ < text_.size() && is_json_space(text_[pos_])) ++pos_;
  }

  bool skip_string();
  bool skip_number();
  bool skip_literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }
  bool skip_value(int depth);
  bool copy_value(int depth) {
    skip_space();
    const std::size_t begin = pos_;
    if (!skip_value(depth)) return false;
    out_.append(text_.substr(begin, pos_ - begin));
    return true;
  }
  // Reads `"key"` and the colon after it; the raw key (with quotes) is left in `raw_key`.
  bool member_key(std::string_view& raw_key);
  std::string_view decoded_key(std::string_view raw_key);

  bool project_value(const FieldNode& fields, int depth);
  bool project_object(const FieldNode& fields, int depth);
  bool project_array(const FieldNode& fields, int depth);
  bool keep_value(const FieldNode& field, int depth);
  bool envelope(const FieldNode& fields);

  std::string_view text_;
  std::size_t pos_ = 0;
  std::string& out_;
  std::string key_;    // scratch for keys with escapes or non-ASCII bytes
  std::string value_;  // scratch for the strings a modifier reads
};

bool Projector::skip_string() {
  ++pos_;  // the opening quote
  while (pos_ < text_.size()) {
    const auto c = static_cast<unsigned char>(text_[pos_]);
    if (c == '"') {
      ++pos_;
      return true;
    }
    if (c < 0x20) return false;
    if (c != '\\') {
      ++pos_;
      continue;
    }
    if (pos_ + 1 >= text_.size()) return false;
    const char e = text_[pos_ + 1];
    if (e == 'u') {
      if (pos_ + 6 > text_.size()) return false;
      for (std::size_t i = pos_ + 2; i < pos_ + 6; ++i) {
        if (hex_digit(text_[i]) < 0) return false;
      }
      pos_ += 6;
    } else if (std::string_view("\"\\/bfnrt").find(e) != std::string_view::npos) {
      pos_ += 2;
    } else {
      return false;
    }
  }
  return false;
}

bool Projector::skip_number() {
  auto digits = [&] {
    const std::size_t begin = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    return pos_ > begin;
  };
  if (peek() == '-') ++pos_;
  if (peek() == '0') {
    ++pos_;
  } else if (!digits()) {
    return false;
  }
  if (peek() == '.') {
    ++pos_;
    if (!digits()) return false;
  }
  if (peek() == 'e' || peek() == 'E') {
    ++pos_;
    if (peek() == '+' || peek() == '-') ++pos_;
    if (!digits()) return false;
  }
  return true;
}

bool Projector::skip_value(int depth) {
  if (depth > kMaxDepth) return false;
  skip_space();
  switch (peek()) {
    case '{':
    case '[': {
      const char close = peek() == '{' ? '}' : ']';
      ++pos_;
      skip_space();
      if (peek() == close) {
        ++pos_;
        return true;
      }
      for (;;) {
        if (close == '}') {
          std::string_view key;
          if (!member_key(key)) return false;
        }
        if (!skip_value(depth + 1)) return false;
        skip_space();
        if (peek() == close) {
          ++pos_;
          return true;
        }
        if (peek() != ',') return false;
        ++pos_;
      }
    }
    case '"':
      return skip_string();
    case 't':
      return skip_literal("true");
    case 'f':
      return skip_literal("false");
    case 'n':
      return skip_literal("null");
    default:
      return skip_number();
  }
}

bool Projector::member_key(std::string_view& raw_key) {
  skip_space();
  const std::size_t begin = pos_;
  if (peek() != '"' || !skip_string()) return false;
  raw_key = text_.substr(begin, pos_ - begin);
  skip_space();
  if (peek() != ':') return false;
  ++pos_;
  return true;
}

std::string_view Projector::decoded_key(std::string_view raw_key) {
  std::string_view inner = raw_key.substr(1, raw_key.size() - 2);
  if (std::all_of(inner.begin(), inner.end(),
                  [](char c) { return c != '\\' && static_cast<unsigned char>(c) < 0x80; })) {
    return inner;
  }
  key_.clear();
  decode_json_string(inner, key_);
  return key_;
}

bool Projector::project_value(const FieldNode& fields, int depth) {
  skip_space();
  if (peek() == '{') return project_object(fields, depth);
  if (peek() == '[') return project_array(fields, depth);
  return copy_value(depth);
}

bool Projector::project_object(const FieldNode& fields, int depth) {
  if (depth > kMaxDepth) return false;
  ++pos_;
  out_ += '{';
  skip_space();
  if (peek() == '}') {
    ++pos_;
    out_ += '}';
    return true;
  }
  const FieldNode* star = fields.child("*");
  if (star && !star->terminal) star = nullptr;
  bool first = true;
  for (;;) {
    std::string_view raw_key;
    if (!member_key(raw_key)) return false;
    const FieldNode* match = fields.find(decoded_key(raw_key));
    // An exact field keeps the value; a longer one projects it; else `*` keeps it.
    const FieldNode* keep = match ? (match->terminal ? match : nullptr) : star;
    if (keep || match) {
      if (!first) out_ += ',';
      first = false;
      out_.append(raw_key);
      out_ += ':';
      if (!(keep ? keep_value(*keep, depth + 1) : project_value(*match, depth + 1))) return false;
    } else if (!skip_value(depth + 1)) {
      return false;
    }
    skip_space();
    if (peek() == '}') {
      ++pos_;
      out_ += '}';
      return true;
    }
    if (peek() != ',') return false;
    ++pos_;
  }
}

bool Projector::project_array(const FieldNode& fields, int depth) {
  if (depth > kMaxDepth) return false;
  const std::size_t begin = pos_;
  ++pos_;
  skip_space();
  if (peek() != '{') {  // empty, or not an array of objects: kept as it is
    pos_ = begin;
    return copy_value(depth);
  }
  out_ += '[';
  for (;;) {
    skip_space();
    if (!(peek() == '{' ? project_object(fields, depth + 1) : copy_value(depth + 1))) return false;
    skip_space();
    if (peek() == ']') {
      ++pos_;
      out_ += ']';
      return true;
    }
    if (peek() != ',') return false;
    ++pos_;
    out_ += ',';
  }
}

bool Projector::keep_value(const FieldNode& field, int depth) {
  skip_space();
  if (!field.excerpt || peek() != '"') return copy_value(depth);  // non-strings stay as they are
  const std::size_t begin = pos_;
  if (!skip_string()) return false;
  value_.clear();
  decode_json_string(text_.substr(begin + 1, pos_ - begin - 2), value_);
  core::append_go_json_string(out_, field.excerpt->apply(value_));
  return true;
}

bool Projector::envelope(const FieldNode& fields) {
  std::size_t copied = pos_;  // the envelope's own bytes are copied as they are
  ++pos_;
  skip_space();
  if (peek() != '}') {
    for (;;) {
      std::string_view raw_key;
      if (!member_key(raw_key)) return false;
      if (decoded_key(raw_key) == "items") {
        skip_space();
        out_.append(text_.substr(copied, pos_ - copied));
        if (!project_value(fields, 1)) return false;
        copied = pos_;
      } else if (!skip_value(1)) {
        return false;
      }
      skip_space();
      if (peek() == '}') break;
      if (peek() != ',') return false;
      ++pos_;
    }
  }
  ++pos_;
  out_.append(text_.substr(copied, pos_ - copied));
  return true;
}

// ---- The query string ------------------------------------------------------------------

// Go's url.QueryUnescape: `+` is a space; `%` must start two hex digits.
std::optional<std::string> query_unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] != '%') {
      out += text[i];
    } else {
      if (i + 2 >= text.size()) return std::nullopt;
      int high = hex_digit(text[i + 1]);
      int low = hex_digit(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out += static_cast<char>(high * 16 + low);
      i += 2;
    }
  }
  return out;
}

}  // namespace

const FieldNode* FieldNode::child(std::string_view child_name) const noexcept {
  auto it = std::lower_bound(children.begin(), children.end(), child_name,
                             [](const FieldNode& c, std::string_view n) { return c.name < n; });
  return it != children.end() && it->name == child_name ? &*it : nullptr;
}

const FieldNode* FieldNode::find(std::string_view path) const noexcept {
  const FieldNode* node = this;
  for (;;) {
    const std::size_t dot = path.find('.');
    node = node->child(path.substr(0, dot));
    if (!node || dot == std::string_view::npos) return node;
    path.remove_prefix(dot + 1);
  }
}

FieldsSpec parse_fields(std::string_view text) {
  FieldsSpec spec;
  if (text.empty()) return spec;  // the common case: no parameter
  if (text.size() > kMaxFieldsBytes) throw core::ApiError::bad_request();
  const std::string normalized = normalized_spec(text);
  for (const std::string& token : tokenize(normalized, ",", false)) {
    std::string_view entry = core::trim_unicode_space(token);
    const std::size_t colon = entry.find(':');
    std::optional<ExcerptModifier> excerpt;
    if (colon != std::string_view::npos) excerpt = parse_modifier(entry.substr(colon + 1));
    std::string_view path = entry.substr(0, colon);
    FieldNode* node = &spec.root;
    for (;;) {
      const std::size_t dot = path.find('.');
      node = &child_or_insert(*node, path.substr(0, dot));
      if (dot == std::string_view::npos) break;
      path.remove_prefix(dot + 1);
    }
    node->terminal = true;
    node->excerpt = excerpt;
  }
  return spec;
}

std::string project_json(std::string_view json, const FieldsSpec& spec, bool list_envelope) {
  if (spec.empty()) return std::string(json);
  std::string out;
  out.reserve(json.size());
  Projector projector(json, out);
  if (!projector.document(spec.root, list_envelope)) return std::string(json);
  return out;
}

std::string fields_query_param(std::string_view raw_query) {
  while (!raw_query.empty()) {
    const std::size_t amp = raw_query.find('&');
    std::string_view pair = raw_query.substr(0, amp);
    raw_query.remove_prefix(amp == std::string_view::npos ? raw_query.size() : amp + 1);
    if (pair.empty() || pair.find(';') != std::string_view::npos) continue;
    const std::size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    if (key != "fields") {
      if (key.find_first_of("%+") == std::string_view::npos) continue;
      std::optional<std::string> decoded = query_unescape(key);
      if (!decoded || *decoded != "fields") continue;
    }
    std::optional<std::string> value =
        query_unescape(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (value) return std::move(*value);
  }
  return {};
}

}  // namespace basalt::http
