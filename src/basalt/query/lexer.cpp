#include "basalt/query/lexer.hpp"

#include <charconv>
#include <cstdio>
#include <system_error>

#include "basalt/query/parse_error.hpp"
#include "basalt/query/text_scan.hpp"

namespace basalt::query {
namespace {

constexpr std::string_view kOperatorChars = "=?!<>~";
constexpr std::string_view kJoinChars = "&|";
constexpr std::size_t kMaxDescribed = 40;  // bytes of a token quoted in an error message

bool is_letter(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_identifier_start(char c) noexcept {
  return is_letter(c) || c == '_' || c == '@' || c == '#';
}
bool is_identifier_char(char c) noexcept {
  return is_letter(c) || is_digit(c) || c == '_' || c == '.' || c == ':';
}

// Well-formed UTF-8 per Unicode 15 table 3-7: no overlongs, surrogates or values > U+10FFFF.
bool is_valid_utf8(std::string_view text) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int extra = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (end - p <= extra) return false;
    if (p[1] < lo || p[1] > hi) return false;
    for (int i = 2; i <= extra; ++i) {
      if (p[i] < 0x80 || p[i] > 0xBF) return false;
    }
    p += extra + 1;
  }
  return true;
}

}  // namespace

bool is_identifier_token(std::string_view text) noexcept {
  if (text.empty() || !is_identifier_start(text.front())) return false;
  for (char c : text.substr(1)) {
    if (!is_identifier_char(c)) return false;
  }
  return true;
}

std::string describe_byte(char byte) {
  auto c = static_cast<unsigned char>(byte);
  char buffer[16];
  if (c >= 0x21 && c < 0x7f) {
    std::snprintf(buffer, sizeof buffer, "'%c'", c);
  } else {
    std::snprintf(buffer, sizeof buffer, "byte 0x%02X", c);
  }
  return buffer;
}

std::string describe(const Token& token) {
  if (token.kind == TokenKind::kEnd) return "end of input";
  std::string out = "'";
  if (token.text.size() > kMaxDescribed) {
    out.append(token.text.substr(0, kMaxDescribed));
    out += "...";
  } else {
    out.append(token.text);
  }
  if (token.kind == TokenKind::kFunction) out += '(';
  out += '\'';
  return out;
}

Token Lexer::make(TokenKind kind, std::size_t begin) const noexcept {
  Token token;
  token.kind = kind;
  token.offset = static_cast<std::uint32_t>(begin);
  token.text = source_.substr(begin, pos_ - begin);
  return token;
}

void Lexer::skip_blanks_and_comments() {
  while (pos_ < source_.size()) {
    char c = source_[pos_];
    if (is_blank(c)) {
      ++pos_;
    } else if (c == '/') {
      if (pos_ + 1 >= source_.size() || source_[pos_ + 1] != '/') {
        fail(ParseErrorCode::kInvalidComment, pos_, "expected '//' to start a comment");
      }
      std::size_t newline = source_.find('\n', pos_ + 2);
      pos_ = newline == std::string_view::npos ? source_.size() : newline + 1;
    } else {
      return;
    }
  }
}

Token Lexer::next() {
  skip_blanks_and_comments();
  if (pos_ >= source_.size()) return make(TokenKind::kEnd, source_.size());

  std::size_t begin = pos_;
  char c = source_[pos_];
  if (is_identifier_start(c)) return scan_identifier();
  if (is_digit(c) || c == '-') return scan_number();
  if (c == '\'' || c == '"') return scan_text();
  if (kOperatorChars.find(c) != std::string_view::npos) return scan_run(kOperatorChars);
  if (kJoinChars.find(c) != std::string_view::npos) return scan_run(kJoinChars);
  ++pos_;
  switch (c) {
    case '(':
      return make(TokenKind::kOpenParen, begin);
    case ')':
      return make(TokenKind::kCloseParen, begin);
    case ',':
      return make(TokenKind::kComma, begin);
    default:
      break;
  }
  fail(ParseErrorCode::kUnexpectedCharacter, begin, "unexpected character " + describe_byte(c));
}

Token Lexer::scan_identifier() {
  std::size_t begin = pos_++;
  while (pos_ < source_.size() && is_identifier_char(source_[pos_])) ++pos_;
  if (pos_ < source_.size() && source_[pos_] == '(') {
    Token token = make(TokenKind::kFunction, begin);
    ++pos_;  // the `(` belongs to the call
    return token;
  }
  return make(TokenKind::kIdentifier, begin);
}

Token Lexer::scan_number() {
  std::size_t begin = pos_++;
  bool had_dot = false;
  while (pos_ < source_.size()) {
    char c = source_[pos_];
    if (c == '.' && !had_dot) {
      had_dot = true;
    } else if (!is_digit(c)) {
      break;
    }
    ++pos_;
  }
  Token token = make(TokenKind::kNumber, begin);
  std::string_view text = token.text;
  if (text == "-" || text.back() == '.') {
    fail(ParseErrorCode::kInvalidNumber, begin, "invalid number '" + std::string(text) + "'");
  }
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), token.number);
  if (error == std::errc::result_out_of_range) {
    fail(ParseErrorCode::kInvalidNumber, begin,
         "number '" + std::string(text.substr(0, kMaxDescribed)) + "' is out of range");
  }
  if (error != std::errc() || end != text.data() + text.size()) {
    fail(ParseErrorCode::kInvalidNumber, begin, "invalid number '" + std::string(text) + "'");
  }
  return token;
}

Token Lexer::scan_text() {
  std::size_t begin = pos_;
  char quote = source_[pos_++];
  bool escaped = false;
  while (pos_ < source_.size()) {
    char c = source_[pos_];
    if (c == '\\' && pos_ + 1 < source_.size() && source_[pos_ + 1] == quote) {
      escaped = true;
      pos_ += 2;
      continue;
    }
    ++pos_;
    if (c == quote) {
      Token token = make(TokenKind::kText, begin);
      token.escaped = escaped;
      if (!is_valid_utf8(token.text)) {
        fail(ParseErrorCode::kInvalidText, begin, "text is not valid UTF-8");
      }
      return token;
    }
  }
  fail(ParseErrorCode::kUnterminatedText, begin,
       std::string("unterminated text: expected a closing ") + quote);
}

Token Lexer::scan_run(std::string_view alphabet) {
  std::size_t begin = pos_;
  while (pos_ < source_.size() && alphabet.find(source_[pos_]) != std::string_view::npos) {
    ++pos_;
  }
  std::string_view text = source_.substr(begin, pos_ - begin);
  if (alphabet == kJoinChars) {
    if (text == "&&") return make(TokenKind::kAnd, begin);
    if (text == "||") return make(TokenKind::kOr, begin);
    fail(
        ParseErrorCode::kInvalidOperator, begin,
        "invalid operator '" + std::string(text.substr(0, kMaxDescribed)) + "': expected && or ||");
  }
  if (auto op = find_operator(text)) {
    Token token = make(TokenKind::kOperator, begin);
    token.op = *op;
    return token;
  }
  fail(ParseErrorCode::kInvalidOperator, begin,
       "invalid operator '" + std::string(text.substr(0, kMaxDescribed)) +
           "': expected one of = != > >= < <= ~ !~ or their ?-prefixed forms");
}

std::string_view text_value(const Token& token, Arena& arena) {
  std::string_view body = token.text.substr(1, token.text.size() - 2);
  if (!token.escaped) return body;
  char quote = token.text.front();
  char* out = arena.allocate_chars(body.size());
  std::size_t size = 0;
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\\' && i + 1 < body.size() && body[i + 1] == quote) ++i;
    out[size++] = body[i];
  }
  return {out, size};
}

}  // namespace basalt::query
