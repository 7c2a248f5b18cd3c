#include "basalt/graphql/lexer.hpp"

#include <fmt/format.h>

#include <cstring>

namespace basalt::graphql {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_name_start(char c) {
  return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
bool is_name_continue(char c) {
  return is_name_start(c) || is_digit(c);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_scalar_value(std::uint32_t code) {
  return code <= 0xD7FF || (code >= 0xE000 && code <= 0x10FFFF);
}

// Writes `code` (a Unicode scalar value) as UTF-8 at `out`; returns the bytes written.
std::size_t put_utf8(char* out, std::uint32_t code) {
  if (code < 0x80) {
    out[0] = static_cast<char>(code);
    return 1;
  }
  if (code < 0x800) {
    out[0] = static_cast<char>(0xC0 | (code >> 6));
    out[1] = static_cast<char>(0x80 | (code & 0x3F));
    return 2;
  }
  if (code < 0x10000) {
    out[0] = static_cast<char>(0xE0 | (code >> 12));
    out[1] = static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (code & 0x3F));
    return 3;
  }
  out[0] = static_cast<char>(0xF0 | (code >> 18));
  out[1] = static_cast<char>(0x80 | ((code >> 12) & 0x3F));
  out[2] = static_cast<char>(0x80 | ((code >> 6) & 0x3F));
  out[3] = static_cast<char>(0x80 | (code & 0x3F));
  return 4;
}

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

// The lines of a block string's raw value, split at LF, CRLF and CR.
class LineCursor {
 public:
  explicit LineCursor(std::string_view text) : text_(text) {}
  bool next(std::string_view& line) {
    if (done_) return false;
    std::size_t end = pos_;
    while (end < text_.size() && text_[end] != '\n' && text_[end] != '\r') ++end;
    line = text_.substr(pos_, end - pos_);
    if (end >= text_.size()) {
      done_ = true;
    } else {
      pos_ =
          end + ((text_[end] == '\r' && end + 1 < text_.size() && text_[end + 1] == '\n') ? 2 : 1);
    }
    return true;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  bool done_ = false;
};

std::size_t leading_blanks(std::string_view line) {
  std::size_t n = 0;
  while (n < line.size() && is_blank(line[n])) ++n;
  return n;
}

// BlockStringValue (section 2.9.4) of `raw` written into `out`, which has room for raw.size()
// bytes; returns the value's length.
std::size_t block_string_value(std::string_view raw, char* out) {
  // Pass 1: the common indentation of the lines after the first that are not blank, and the
  // first and last lines that are not blank.
  std::size_t common = std::string_view::npos;
  std::size_t first_kept = std::string_view::npos;
  std::size_t last_kept = 0;
  {
    LineCursor lines(raw);
    std::string_view line;
    for (std::size_t index = 0; lines.next(line); ++index) {
      std::size_t indent = leading_blanks(line);
      if (indent == line.size()) continue;
      if (index > 0 && indent < common) common = indent;
      if (first_kept == std::string_view::npos) first_kept = index;
      last_kept = index;
    }
  }
  if (first_kept == std::string_view::npos) return 0;
  if (common == std::string_view::npos) common = 0;
  // Pass 2: the kept lines, joined with LF, each after the first without the indentation.
  std::size_t length = 0;
  LineCursor lines(raw);
  std::string_view line;
  for (std::size_t index = 0; lines.next(line) && index <= last_kept; ++index) {
    if (index < first_kept) continue;
    if (index > 0) line.remove_prefix(common < line.size() ? common : line.size());
    if (index > first_kept) out[length++] = '\n';
    std::memcpy(out + length, line.data(), line.size());
    length += line.size();
  }
  return length;
}

}  // namespace

std::string_view token_kind_text(TokenKind kind) noexcept {
  switch (kind) {
    case TokenKind::kEnd:
      return "<EOF>";
    case TokenKind::kBang:
      return "!";
    case TokenKind::kDollar:
      return "$";
    case TokenKind::kAmp:
      return "&";
    case TokenKind::kParenL:
      return "(";
    case TokenKind::kParenR:
      return ")";
    case TokenKind::kSpread:
      return "...";
    case TokenKind::kColon:
      return ":";
    case TokenKind::kEquals:
      return "=";
    case TokenKind::kAt:
      return "@";
    case TokenKind::kBracketL:
      return "[";
    case TokenKind::kBracketR:
      return "]";
    case TokenKind::kBraceL:
      return "{";
    case TokenKind::kPipe:
      return "|";
    case TokenKind::kBraceR:
      return "}";
    case TokenKind::kName:
      return "Name";
    case TokenKind::kInt:
      return "Int";
    case TokenKind::kFloat:
      return "Float";
    case TokenKind::kString:
      return "String";
  }
  return "?";
}

void Lexer::fail(std::size_t at, std::string message) const {
  // A scan may have stepped past the end (an escape's `\` as the last byte): report the end.
  if (at > source_.size()) at = source_.size();
  throw ParseFailure{Error{ErrorCode::kParseFailed,
                           "Syntax Error: " + std::move(message),
                           {static_cast<std::uint32_t>(at)}}};
}

std::size_t Lexer::utf8_length_at(std::size_t at) const {
  auto byte = [&](std::size_t i) -> unsigned {
    return i < source_.size() ? static_cast<unsigned char>(source_[i]) : 0u;
  };
  unsigned lead = byte(at);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  std::uint32_t code = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code = lead & 0x07;
  } else {
    fail(at, "Invalid UTF-8 byte sequence.");
  }
  for (std::size_t i = 1; i < length; ++i) {
    unsigned next = byte(at + i);
    if ((next & 0xC0) != 0x80) fail(at, "Invalid UTF-8 byte sequence.");
    code = (code << 6) | (next & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
  static constexpr std::uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code < kMinimum[length] || !is_scalar_value(code)) fail(at, "Invalid UTF-8 byte sequence.");
  return length;
}

void Lexer::skip_ignored() {
  while (pos_ < source_.size()) {
    char c = source_[pos_];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',') {
      ++pos_;
    } else if (c == '#') {
      while (pos_ < source_.size() && source_[pos_] != '\n' && source_[pos_] != '\r') {
        pos_ += utf8_length_at(pos_);
      }
    } else if (source_.substr(pos_, 3) == "\xEF\xBB\xBF") {
      pos_ += 3;  // U+FEFF, the byte order mark, is ignored anywhere between tokens
    } else {
      return;
    }
  }
}

Token Lexer::next() {
  skip_ignored();
  if (pos_ >= source_.size())
    return Token{TokenKind::kEnd, false, static_cast<std::uint32_t>(source_.size()), {}};
  if (++tokens_ > max_tokens_) {
    throw ParseFailure{Error{ErrorCode::kLimitExceeded,
                             fmt::format("The document has more than {} tokens.", max_tokens_),
                             {static_cast<std::uint32_t>(pos_)}}};
  }
  std::size_t start = pos_;
  auto punctuator = [&](TokenKind kind, std::size_t length) {
    pos_ += length;
    return Token{kind, false, static_cast<std::uint32_t>(start), source_.substr(start, length)};
  };
  char c = source_[pos_];
  switch (c) {
    case '!':
      return punctuator(TokenKind::kBang, 1);
    case '$':
      return punctuator(TokenKind::kDollar, 1);
    case '&':
      return punctuator(TokenKind::kAmp, 1);
    case '(':
      return punctuator(TokenKind::kParenL, 1);
    case ')':
      return punctuator(TokenKind::kParenR, 1);
    case ':':
      return punctuator(TokenKind::kColon, 1);
    case '=':
      return punctuator(TokenKind::kEquals, 1);
    case '@':
      return punctuator(TokenKind::kAt, 1);
    case '[':
      return punctuator(TokenKind::kBracketL, 1);
    case ']':
      return punctuator(TokenKind::kBracketR, 1);
    case '{':
      return punctuator(TokenKind::kBraceL, 1);
    case '|':
      return punctuator(TokenKind::kPipe, 1);
    case '}':
      return punctuator(TokenKind::kBraceR, 1);
    case '.':
      if (source_.substr(pos_, 3) == "...") return punctuator(TokenKind::kSpread, 3);
      fail(start, "Unexpected character: \".\".");
    case '"':
      if (source_.substr(pos_, 3) == "\"\"\"") return read_block_string(start);
      return read_string(start);
    default:
      break;
  }
  if (is_name_start(c)) {
    while (pos_ < source_.size() && is_name_continue(source_[pos_])) ++pos_;
    return Token{TokenKind::kName, false, static_cast<std::uint32_t>(start),
                 source_.substr(start, pos_ - start)};
  }
  if (c == '-' || is_digit(c)) return read_number(start);
  auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x80) {
    utf8_length_at(start);  // invalid UTF-8 is reported as such
    fail(start, "Unexpected character outside a string or comment.");
  }
  if (byte < 0x20 || byte == 0x7F) fail(start, fmt::format("Invalid character: U+{:04X}.", byte));
  fail(start, fmt::format("Unexpected character: \"{}\".", c));
}

Token Lexer::read_number(std::size_t start) {
  auto at = [&](std::size_t i) { return i < source_.size() ? source_[i] : '\0'; };
  bool is_float = false;
  if (at(pos_) == '-') ++pos_;
  if (at(pos_) == '0') {
    ++pos_;
    if (is_digit(at(pos_))) fail(pos_, "Invalid number, unexpected digit after 0.");
  } else if (is_digit(at(pos_))) {
    while (is_digit(at(pos_))) ++pos_;
  } else {
    fail(pos_, "Invalid number, expected digit.");
  }
  if (at(pos_) == '.') {
    is_float = true;
    ++pos_;
    if (!is_digit(at(pos_))) fail(pos_, "Invalid number, expected digit after \".\".");
    while (is_digit(at(pos_))) ++pos_;
  }
  if (at(pos_) == 'e' || at(pos_) == 'E') {
    is_float = true;
    ++pos_;
    if (at(pos_) == '+' || at(pos_) == '-') ++pos_;
    if (!is_digit(at(pos_))) fail(pos_, "Invalid number, expected digit in the exponent.");
    while (is_digit(at(pos_))) ++pos_;
  }
  if (at(pos_) == '.' || is_name_start(at(pos_))) {
    fail(pos_, "Invalid number: a number may not be followed by \".\" or a name.");
  }
  return Token{is_float ? TokenKind::kFloat : TokenKind::kInt, false,
               static_cast<std::uint32_t>(start), source_.substr(start, pos_ - start)};
}

std::uint32_t Lexer::read_hex_escape(std::size_t at, std::size_t digits) const {
  std::uint32_t code = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    int value = at + i < source_.size() ? hex_value(source_[at + i]) : -1;
    if (value < 0) fail(at - 2, "Invalid Unicode escape sequence.");
    code = code * 16 + static_cast<std::uint32_t>(value);
  }
  return code;
}

Token Lexer::read_string(std::size_t start) {
  ++pos_;  // the opening quote
  std::size_t content = pos_;
  bool escaped = false;
  // Pass 1: find the closing quote, check the characters and escapes' shapes.
  while (true) {
    if (pos_ >= source_.size()) fail(pos_, "Unterminated string.");
    char c = source_[pos_];
    if (c == '"') break;
    if (c == '\n' || c == '\r') fail(pos_, "Unterminated string.");
    if (c == '\\') {
      escaped = true;
      pos_ += 2;  // the escape's character is checked in pass 2
      continue;
    }
    pos_ += utf8_length_at(pos_);
  }
  std::size_t end = pos_++;
  std::string_view raw = source_.substr(content, end - content);
  if (!escaped) {
    return Token{TokenKind::kString, false, static_cast<std::uint32_t>(start), raw};
  }
  // Pass 2: decode into the arena; no escape makes its text longer.
  char* out = arena_.allocate_chars(raw.size());
  std::size_t length = 0;
  for (std::size_t i = content; i < end;) {
    if (source_[i] != '\\') {
      out[length++] = source_[i++];
      continue;
    }
    char kind = i + 1 < end ? source_[i + 1] : '\0';
    std::size_t escape_at = i;
    i += 2;
    switch (kind) {
      case '"':
        out[length++] = '"';
        break;
      case '\\':
        out[length++] = '\\';
        break;
      case '/':
        out[length++] = '/';
        break;
      case 'b':
        out[length++] = '\b';
        break;
      case 'f':
        out[length++] = '\f';
        break;
      case 'n':
        out[length++] = '\n';
        break;
      case 'r':
        out[length++] = '\r';
        break;
      case 't':
        out[length++] = '\t';
        break;
      case 'u': {
        std::uint32_t code = 0;
        if (i < end && source_[i] == '{') {
          // \u{X…}: any number of hex digits naming a scalar value (leading zeros allowed).
          std::size_t digits = 0;
          ++i;
          while (i < end && source_[i] != '}') {
            int value = hex_value(source_[i]);
            if (value < 0 || code > 0x10FFFF) fail(escape_at, "Invalid Unicode escape sequence.");
            code = code * 16 + static_cast<std::uint32_t>(value);
            ++digits;
            ++i;
          }
          if (i >= end || digits == 0 || !is_scalar_value(code)) {
            fail(escape_at, "Invalid Unicode escape sequence.");
          }
          ++i;  // the `}`
        } else {
          code = read_hex_escape(i, 4);
          i += 4;
          if (i > end) fail(escape_at, "Invalid Unicode escape sequence.");
          if (code >= 0xD800 && code <= 0xDBFF) {
            // A leading surrogate must be followed by \u and a trailing one: together one
            // character.
            if (i + 6 > end || source_[i] != '\\' || source_[i + 1] != 'u') {
              fail(escape_at, "Invalid Unicode escape sequence: a lone surrogate.");
            }
            std::uint32_t low = read_hex_escape(i + 2, 4);
            if (low < 0xDC00 || low > 0xDFFF) {
              fail(escape_at, "Invalid Unicode escape sequence: a lone surrogate.");
            }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
            i += 6;
          } else if (code >= 0xDC00 && code <= 0xDFFF) {
            fail(escape_at, "Invalid Unicode escape sequence: a lone surrogate.");
          }
        }
        length += put_utf8(out + length, code);
        break;
      }
      default:
        fail(escape_at, "Invalid character escape sequence.");
    }
  }
  return Token{TokenKind::kString, false, static_cast<std::uint32_t>(start),
               std::string_view(out, length)};
}

Token Lexer::read_block_string(std::size_t start) {
  pos_ += 3;
  std::size_t content = pos_;
  std::size_t escapes = 0;
  while (true) {
    if (pos_ >= source_.size()) fail(pos_, "Unterminated string.");
    if (source_.compare(pos_, 3, "\"\"\"") == 0) break;
    if (source_.compare(pos_, 4, "\\\"\"\"") == 0) {
      ++escapes;
      pos_ += 4;
      continue;
    }
    pos_ += utf8_length_at(pos_);
  }
  std::size_t end = pos_;
  pos_ += 3;
  std::string_view raw = source_.substr(content, end - content);
  char* out = arena_.allocate_chars(raw.size() > 0 ? raw.size() : 1);
  if (escapes > 0) {
    // \""" stands for """: unescape into a scratch copy first, then take the value from it.
    char* unescaped = arena_.allocate_chars(raw.size());
    std::size_t n = 0;
    for (std::size_t i = 0; i < raw.size();) {
      if (raw.compare(i, 4, "\\\"\"\"") == 0) {
        std::memcpy(unescaped + n, "\"\"\"", 3);
        n += 3;
        i += 4;
      } else {
        unescaped[n++] = raw[i++];
      }
    }
    raw = std::string_view(unescaped, n);
  }
  std::size_t length = block_string_value(raw, out);
  return Token{TokenKind::kString, true, static_cast<std::uint32_t>(start),
               std::string_view(out, length)};
}

}  // namespace basalt::graphql
