#include "basalt/graphql/lexer.hpp"

#include <gtest/gtest.h>

#include <string>

namespace basalt::graphql {
namespace {

// "kind:text" of each token, e.g. "Name:a {:{".
std::string lx_tokens(std::string_view source, query::Arena& arena) {
  Lexer lexer(source, arena, 1000);
  std::string out;
  for (Token token = lexer.next(); token.kind != TokenKind::kEnd; token = lexer.next()) {
    if (!out.empty()) out += ' ';
    out += token_kind_text(token.kind);
    out += ':';
    out += token.text;
  }
  return out;
}

std::string lx_tokens(std::string_view source) {
  query::Arena arena;
  return lx_tokens(source, arena);
}

// The single string token's decoded value.
std::string lx_string(std::string_view source) {
  query::Arena arena;
  Lexer lexer(source, arena, 10);
  Token token = lexer.next();
  EXPECT_EQ(token.kind, TokenKind::kString) << source;
  EXPECT_EQ(lexer.next().kind, TokenKind::kEnd) << source;
  return std::string(token.text);
}

Error lx_error(std::string_view source) {
  query::Arena arena;
  try {
    lx_tokens(source, arena);
  } catch (const ParseFailure& failure) {
    return failure.error;
  }
  ADD_FAILURE() << "no error for: " << source;
  return {};
}

TEST(GraphqlLexer, SplitsPunctuatorsNamesAndNumbers) {
  EXPECT_EQ(lx_tokens("query Q($a: [Int!] = 1) { f(x: -1.5e3) @skip ...F | & }"),
            "Name:query Name:Q (:( $:$ Name:a ::: [:[ Name:Int !:! ]:] =:= Int:1 ):) {:{ Name:f "
            "(:( Name:x ::: Float:-1.5e3 ):) @:@ Name:skip ...:... Name:F |:| &:& }:}");
}

TEST(GraphqlLexer, IgnoresCommasCommentsBlanksAndTheByteOrderMark) {
  EXPECT_EQ(lx_tokens("\xEF\xBB\xBF a,,b # comment { }\r\n\tc\rd"), "Name:a Name:b Name:c Name:d");
}

TEST(GraphqlLexer, ReadsNumbersAsTheGrammarHasThem) {
  EXPECT_EQ(lx_tokens("0 -0 123 -7 1.5 0.0 1e10 1E+2 1e-2 -1.25e-3"),
            "Int:0 Int:-0 Int:123 Int:-7 Float:1.5 Float:0.0 Float:1e10 Float:1E+2 Float:1e-2 "
            "Float:-1.25e-3");
}

TEST(GraphqlLexer, RefusesMalformedNumbers) {
  for (std::string_view bad : {"1.", "0x1", "00", "01", "1e", "1e+", "-", "-a", "1.e1", ".5",
                               "1.5.", "1a", "1.5e", "12_", "1..2"}) {
    Error error = lx_error(bad);
    EXPECT_EQ(error.code, ErrorCode::kParseFailed) << bad;
  }
}

TEST(GraphqlLexer, DecodesStringEscapes) {
  EXPECT_EQ(lx_string(R"("a\"b\\c\/d\b\f\n\r\t")"), "a\"b\\c/d\b\f\n\r\t");
  EXPECT_EQ(lx_string(R"("\u0041\u00e9\u20AC")"), "A\xC3\xA9\xE2\x82\xAC");
  EXPECT_EQ(lx_string(R"("plain")"), "plain");
  EXPECT_EQ(lx_string(R"("")"), "");
  EXPECT_EQ(lx_string("\"caf\xC3\xA9 \xF0\x9F\x98\x80\""), "caf\xC3\xA9 \xF0\x9F\x98\x80");
}

TEST(GraphqlLexer, JoinsSurrogatePairsAndReadsBracedEscapes) {
  EXPECT_EQ(lx_string(R"("\uD83D\uDE00")"), "\xF0\x9F\x98\x80");
  EXPECT_EQ(lx_string(R"("\u{1F600}")"), "\xF0\x9F\x98\x80");
  EXPECT_EQ(lx_string(R"("\u{41}\u{0000041}")"), "AA");
  EXPECT_EQ(lx_string(R"("\u{10FFFF}")"), "\xF4\x8F\xBF\xBF");
}

TEST(GraphqlLexer, RefusesBadEscapesAndLoneSurrogates) {
  for (std::string_view bad : {R"("\uD83D")", R"("\uDE00")", R"("\uD83Dx")", R"("\uD83D\u0041")",
                               R"("\u{D800}")", R"("\u{110000}")", R"("\u{}")", R"("\u{12")",
                               R"("\u12")", R"("\uZZZZ")", R"("\x")", R"("\u{FFFFFFFFFF}")"}) {
    EXPECT_EQ(lx_error(bad).code, ErrorCode::kParseFailed) << bad;
  }
}

TEST(GraphqlLexer, RefusesUnterminatedStringsAndLineBreaksInStrings) {
  EXPECT_EQ(lx_error("\"abc").code, ErrorCode::kParseFailed);
  EXPECT_EQ(lx_error("\"a\nb\"").code, ErrorCode::kParseFailed);
  EXPECT_EQ(lx_error("\"\"\"abc").code, ErrorCode::kParseFailed);
  Error escape_at_end = lx_error("\"a\\");
  EXPECT_EQ(escape_at_end.code, ErrorCode::kParseFailed);
  EXPECT_EQ(escape_at_end.offsets, std::vector<std::uint32_t>{3});  // the end, not past it
}

TEST(GraphqlLexer, RefusesInvalidUtf8) {
  EXPECT_EQ(lx_error("\"\xC3\"").code, ErrorCode::kParseFailed);
  EXPECT_EQ(lx_error("\"\xED\xA0\x80\"").code, ErrorCode::kParseFailed);  // a UTF-8 surrogate
  EXPECT_EQ(lx_error("\"\xC0\xAF\"").code, ErrorCode::kParseFailed);      // overlong
  EXPECT_EQ(lx_error("# \xFF").code, ErrorCode::kParseFailed);
  EXPECT_EQ(lx_error("\xC3\xA9").code, ErrorCode::kParseFailed);  // é outside a string
}

TEST(GraphqlLexer, RefusesUnexpectedCharacters) {
  EXPECT_EQ(lx_error("a ? b").message, "Syntax Error: Unexpected character: \"?\".");
  EXPECT_EQ(lx_error("..").code, ErrorCode::kParseFailed);
  EXPECT_EQ(lx_error("a \x07").message, "Syntax Error: Invalid character: U+0007.");
  Error error = lx_error("a\n  %");
  ASSERT_EQ(error.offsets.size(), 1u);
  EXPECT_EQ(error.offsets[0], 4u);
}

TEST(GraphqlLexer, BlockStringsDropCommonIndentAndBlankEdgeLines) {
  EXPECT_EQ(lx_string("\"\"\"\n    Hello,\n      World!\n\n    Yours,\n      GraphQL.\n  \"\"\""),
            "Hello,\n  World!\n\nYours,\n  GraphQL.");
  // The first line keeps its own indentation and does not count for the common one.
  EXPECT_EQ(lx_string("\"\"\"  first\n    second\n      third\"\"\""), "  first\nsecond\n  third");
  // Blank lines (spaces and tabs only) do not count either.
  EXPECT_EQ(lx_string("\"\"\"\n\t\n  a\n \n    b\n\"\"\""), "a\n\n  b");
  EXPECT_EQ(lx_string("\"\"\"   \n  \n\"\"\""), "");
  EXPECT_EQ(lx_string("\"\"\"\"\"\""), "");
}

TEST(GraphqlLexer, BlockStringsKeepEscapesRawExceptTripleQuotes) {
  EXPECT_EQ(lx_string(R"("""a \n \u0041 \""" b""")"), R"(a \n \u0041 """ b)");
  EXPECT_EQ(lx_string("\"\"\"a \"\" b\"\"\""), "a \"\" b");
  // CRLF and CR end lines like LF.
  EXPECT_EQ(lx_string("\"\"\"\r\n  x\r  y\r\n\"\"\""), "x\ny");
}

TEST(GraphqlLexer, CountsTokensAgainstTheLimit) {
  query::Arena arena;
  Lexer lexer("a b c", arena, 2);
  lexer.next();
  lexer.next();
  try {
    lexer.next();
    ADD_FAILURE() << "a third token passed a limit of two";
  } catch (const ParseFailure& failure) {
    EXPECT_EQ(failure.error.code, ErrorCode::kLimitExceeded);
  }
}

TEST(GraphqlLexer, LocatesErrorsByLineAndUtf16Column) {
  EXPECT_EQ(line_column("ab\ncd", 4), (LineColumn{2, 2}));
  EXPECT_EQ(line_column("a\r\nb\rc", 5), (LineColumn{3, 1}));
  // An astral character takes two UTF-16 units, a two-byte one takes one.
  EXPECT_EQ(line_column("\"\xF0\x9F\x98\x80\xC3\xA9\" x", 9), (LineColumn{1, 7}));
  Error error = lx_error("{\n  \"\xF0\x9F\x98\x80\n");
  EXPECT_EQ(
      error_json(error, "{\n  \"\xF0\x9F\x98\x80\n"),
      R"({"message":"Syntax Error: Unterminated string.","locations":[{"line":2,"column":6}],"extensions":{"code":"parse-failed"}})");
}

}  // namespace
}  // namespace basalt::graphql
