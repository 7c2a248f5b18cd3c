// Lexer: splits filter text into tokens (docs/filters.md), byte for byte as PocketBase's fexpr
// scanner does, except where noted.
//
//   identifier  [A-Za-z_@#][A-Za-z0-9_.:]*        shape checked later (identifier.hpp)
//   function    an identifier immediately followed by `(` (no blank between)
//   number      -?[0-9]*(\.[0-9]*)? starting with `-` or a digit, not ending in `.`,
//               at most one `.`; no exponent; parsed as a double
//   text        '...' or "...": ends at the first quote of its kind not preceded by `\`;
//               `\<that quote>` stands for the quote, every other `\` is kept as is (so `\\`
//               is two backslashes, as in PocketBase); must be valid UTF-8
//   operator    a maximal run of `=?!<>~` that is one of the 16 operators of docs/filters.md
//   && ||       a maximal run of `&|` that is exactly one of them
//   ( ) ,       single characters
//   blanks      space, tab, LF and CR (fexpr has no CR; accepting it only admits more input)
//   comment     `//` to the end of the line
// Blanks and comments separate tokens and are skipped, inside function calls too.
//
// Differences from fexpr, all on input fexpr handles oddly: a NUL byte is an unexpected
// character (fexpr stops reading there), invalid UTF-8 in a text is an error (fexpr turns it
// into U+FFFD), and comments are skipped everywhere, so a `)` or quote inside a comment within
// parentheses is just comment text.
//
// Thread safety: a Lexer is used by one thread; it only reads its source.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "basalt/query/arena.hpp"
#include "basalt/query/ast.hpp"

namespace basalt::query {

enum class TokenKind : std::uint8_t {
  kEnd,
  kIdentifier,
  kFunction,  // a call's name; the `(` after it has been consumed
  kNumber,
  kText,
  kOperator,
  kAnd,
  kOr,
  kOpenParen,
  kCloseParen,
  kComma,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  Operator op = Operator::kEq;  // kOperator
  bool escaped = false;         // kText: the body holds `\<quote>` pairs to unescape
  std::uint32_t offset = 0;     // first byte in the source
  double number = 0;            // kNumber
  // The token's bytes: a kText with its quotes, a kFunction without its `(`; empty for kEnd.
  std::string_view text;

  SourceRange range() const noexcept { return {offset, static_cast<std::uint32_t>(text.size())}; }
};

class Lexer {
 public:
  // `source` must outlive the Lexer and be at most UINT32_MAX bytes.
  explicit Lexer(std::string_view source) noexcept : source_(source) {}

  // The next token, kEnd from the end of the source on. Throws ParseError.
  Token next();

  std::size_t position() const noexcept { return pos_; }

 private:
  void skip_blanks_and_comments();
  Token scan_identifier();
  Token scan_number();
  Token scan_text();
  Token scan_run(std::string_view alphabet);
  Token make(TokenKind kind, std::size_t begin) const noexcept;

  std::string_view source_;
  std::size_t pos_ = 0;
};

// The value of a kText token: quotes removed, `\<quote>` replaced by the quote. Points into
// the token's text when nothing is escaped, else into `arena`.
std::string_view text_value(const Token& token, Arena& arena);

// "'foo'", "'('", "end of input": how an error message names a token (long ones shortened).
std::string describe(const Token& token);

// Whether all of `text` is one identifier token (used for sort fields).
bool is_identifier_token(std::string_view text) noexcept;

// "'$'" or "byte 0xC3": how an error message names one source byte.
std::string describe_byte(char byte);

}  // namespace basalt::query
