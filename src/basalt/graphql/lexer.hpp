// Lexer: the lexical tokens of the October 2021 GraphQL specification (section 2.1).
//
//   ignored      BOM (U+FEFF), space, tab, LF, CR, commas, `#` comments to the line's end
//   punctuator   ! $ & ( ) ... : = @ [ ] { | }
//   name         [_A-Za-z][_0-9A-Za-z]*
//   int          -?(0|[1-9][0-9]*), not followed by `.`, a digit or a name start (`00`, `0x1`,
//                `1.` and `1e` are errors, `-0` is an int)
//   float        an int part with a fraction `.[0-9]+`, an exponent `[eE][+-]?[0-9]+` or both,
//                not followed by `.` or a name start
//   string       "…" with escapes \" \\ \/ \b \f \n \r \t \uXXXX (a UTF-16 surrogate pair is
//                one character; a lone surrogate is an error) and \u{X…} (a Unicode scalar
//                value); no line terminator inside
//   block string """…""" where \""" stands for """; its value has the common indentation and
//                the blank first and last lines removed (section 2.9.4, BlockStringValue)
//
// The document must be UTF-8; any other character outside strings and comments is an error.
// Every error is a ParseFailure (parse-failed) at the offending byte; more than
// Limits::max_tokens tokens is a limit-exceeded ParseFailure.
//
// Thread safety: a Lexer is used by one thread; it only reads its source and writes decoded
// strings into the arena it was given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "basalt/graphql/error.hpp"
#include "basalt/query/arena.hpp"

namespace basalt::graphql {

enum class TokenKind : std::uint8_t {
  kEnd,
  kBang,      // !
  kDollar,    // $
  kAmp,       // &
  kParenL,    // (
  kParenR,    // )
  kSpread,    // ...
  kColon,     // :
  kEquals,    // =
  kAt,        // @
  kBracketL,  // [
  kBracketR,  // ]
  kBraceL,    // {
  kPipe,      // |
  kBraceR,    // }
  kName,
  kInt,
  kFloat,
  kString,
};

std::string_view token_kind_text(TokenKind kind) noexcept;

struct Token {
  TokenKind kind = TokenKind::kEnd;
  bool block = false;  // kString written as a block string
  std::uint32_t offset = 0;
  // kName/kInt/kFloat: the source text; kString: the decoded value (arena or source).
  std::string_view text;
};

// Thrown by the lexer and the parser; carries the error as the API reports it.
struct ParseFailure {
  Error error;
};

class Lexer {
 public:
  // `source` must outlive the lexer and the strings it returns; `arena` holds decoded strings.
  Lexer(std::string_view source, query::Arena& arena, std::size_t max_tokens) noexcept
      : source_(source), arena_(arena), max_tokens_(max_tokens) {}

  // The next token; kEnd at the end (again on every later call).
  Token next();

 private:
  [[noreturn]] void fail(std::size_t at, std::string message) const;
  void skip_ignored();
  Token read_number(std::size_t start);
  Token read_string(std::size_t start);
  Token read_block_string(std::size_t start);
  // Checks the UTF-8 sequence at pos_ and returns its length (1–4); an invalid one is an error.
  std::size_t utf8_length_at(std::size_t at) const;
  std::uint32_t read_hex_escape(std::size_t at, std::size_t digits) const;

  std::string_view source_;
  query::Arena& arena_;
  std::size_t max_tokens_;
  std::size_t pos_ = 0;
  std::size_t tokens_ = 0;
};

}  // namespace basalt::graphql
