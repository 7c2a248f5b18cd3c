#include "basalt/query/lexer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "basalt/query/parse_error.hpp"

namespace basalt::query {
namespace {

// "kind:text" for each token up to the end, e.g. "id:a op:= num:1".
std::string lex(std::string_view source) {
  Lexer lexer(source);
  std::string out;
  for (Token token = lexer.next(); token.kind != TokenKind::kEnd; token = lexer.next()) {
    static constexpr const char* kNames[] = {"end", "id", "fn", "num", "text", "op",
                                             "and", "or", "(",  ")",   ","};
    if (!out.empty()) out += ' ';
    out += kNames[static_cast<int>(token.kind)];
    out += ':';
    out += token.text;
    if (token.offset != static_cast<std::uint32_t>(token.text.data() - source.data())) {
      out += "<bad offset>";
    }
  }
  return out;
}

ParseError lex_error(std::string_view source) {
  try {
    lex(source);
  } catch (const ParseError& error) {
    return error;
  }
  ADD_FAILURE() << "no error for: " << source;
  return ParseError(ParseErrorCode::kEmpty, 0, "");
}

TEST(Lexer, SplitsEveryTokenKind) {
  EXPECT_EQ(lex("a.b:each != 'x' && (n >= -1.5 || f(1, \"y\"))"),
            "id:a.b:each op:!= text:'x' and:&& (:( id:n op:>= num:-1.5 or:|| fn:f num:1 ,:, "
            "text:\"y\" ):) ):)");
}

TEST(Lexer, NeedsNoBlanksBetweenTokens) {
  EXPECT_EQ(lex("a?!~'x'&&b<=c||d>-1"),
            "id:a op:?!~ text:'x' and:&& id:b op:<= id:c or:|| id:d op:> num:-1");
}

TEST(Lexer, ReadsTheLongestOperatorRun) {
  for (std::string op : {"=", "!=", ">", ">=", "<", "<=", "~", "!~", "?=", "?!=", "?>", "?>=", "?<",
                         "?<=", "?~", "?!~"}) {
    std::string source = "a" + op + "1";
    Lexer lexer(source);
    lexer.next();
    Token token = lexer.next();
    ASSERT_EQ(token.kind, TokenKind::kOperator) << op;
    EXPECT_EQ(to_string(token.op), op);
  }
}

TEST(Lexer, IdentifierCharacters) {
  EXPECT_EQ(lex("_a1 @request.auth.id #x a:b.c_d"), "id:_a1 id:@request.auth.id id:#x id:a:b.c_d");
  // `@` and `#` only start an identifier, so they split one here.
  EXPECT_EQ(lex("a@b"), "id:a id:@b");
}

TEST(Lexer, AFunctionNeedsItsParenthesisRightAfterTheName) {
  EXPECT_EQ(lex("f(x)"), "fn:f id:x ):)");
  EXPECT_EQ(lex("f (x)"), "id:f (:( id:x ):)");
}

TEST(Lexer, Numbers) {
  for (auto [text, value] : std::vector<std::pair<std::string, double>>{{"0", 0},
                                                                        {"123", 123},
                                                                        {"10.5", 10.5},
                                                                        {"-14", -14},
                                                                        {"007", 7},
                                                                        {"-.5", -0.5},
                                                                        {"1.25", 1.25},
                                                                        {"-0", -0.0}}) {
    Lexer lexer(text);
    Token token = lexer.next();
    ASSERT_EQ(token.kind, TokenKind::kNumber) << text;
    EXPECT_EQ(token.number, value) << text;
    EXPECT_EQ(lexer.next().kind, TokenKind::kEnd) << text;
  }
  // A `-` inside, or a second `.`, ends the number.
  EXPECT_EQ(lex("1-2"), "num:1 num:-2");
  EXPECT_EQ(lex("12abc"), "num:12 id:abc");
}

TEST(Lexer, TextsEndAtTheirOwnUnescapedQuote) {
  EXPECT_EQ(lex(R"('a"b' "a'b")"), R"(text:'a"b' text:"a'b")");
  EXPECT_EQ(lex(R"('it\'s' x)"), R"(text:'it\'s' id:x)");
  EXPECT_EQ(lex(R"("a\"b\"" x)"), R"(text:"a\"b\"" id:x)");
  // A backslash before the closing quote escapes it, even after another backslash.
  EXPECT_EQ(lex(R"('a\\'b' x)"), R"(text:'a\\'b' id:x)");
}

TEST(Lexer, TextValueUnescapesOnlyTheOwnQuote) {
  struct Case {
    const char* source;
    const char* value;
  };
  for (auto [source, value] : std::initializer_list<Case>{
           {R"('plain')", "plain"},
           {R"('')", ""},
           {R"('it\'s')", "it's"},
           {R"("say \"hi\"")", R"(say "hi")"},
           {R"('keeps \" and \n')", R"(keeps \" and \n)"},
           {R"("keeps \' too")", R"(keeps \' too)"},
           {R"('two \\ stay two')", R"(two \\ stay two)"},
           {R"('a\\'b')", R"(a\'b)"},
           {"'multi\nline'", "multi\nline"},
           {"'caf\xC3\xA9 \xF0\x9F\x98\x80'", "caf\xC3\xA9 \xF0\x9F\x98\x80"},
       }) {
    Arena arena;
    Lexer lexer(source);
    Token token = lexer.next();
    ASSERT_EQ(token.kind, TokenKind::kText) << source;
    EXPECT_EQ(text_value(token, arena), value) << source;
    // Unescaped values need arena space; the others point into the source.
    EXPECT_EQ(arena.bytes_used() > 0, token.escaped) << source;
  }
}

TEST(Lexer, SkipsBlanksAndComments) {
  EXPECT_EQ(lex(" \t\r\na // one\n= // two\r\n1 //"), "id:a op:= num:1");
  EXPECT_EQ(lex("// only a comment"), "");
  EXPECT_EQ(lex("a // ) ' \" are comment text\n)"), "id:a ):)");
  EXPECT_EQ(lex("f(a, // note\n b)"), "fn:f id:a ,:, id:b ):)");
}

TEST(Lexer, ErrorsNameThePosition) {
  struct Case {
    std::string source;
    ParseErrorCode code;
    std::size_t position;
    const char* message;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"a $", ParseErrorCode::kUnexpectedCharacter, 2, "unexpected character '$'"},
           {"a [", ParseErrorCode::kUnexpectedCharacter, 2, "unexpected character '['"},
           {"t\xC3\xAFtle", ParseErrorCode::kUnexpectedCharacter, 1, "byte 0xC3"},
           {std::string("a\0b", 3), ParseErrorCode::kUnexpectedCharacter, 1, "byte 0x00"},
           {"1.2.3", ParseErrorCode::kUnexpectedCharacter, 3, "'.'"},
           {"a 'abc", ParseErrorCode::kUnterminatedText, 2, "expected a closing '"},
           {"a \"ab\\\"", ParseErrorCode::kUnterminatedText, 2, "expected a closing \""},
           {"a 'x\\'", ParseErrorCode::kUnterminatedText, 2, "unterminated text"},
           {"'\xFF'", ParseErrorCode::kInvalidText, 0, "not valid UTF-8"},
           {"'\xC0\xAF'", ParseErrorCode::kInvalidText, 0, "not valid UTF-8"},
           {"'\xED\xA0\x80'", ParseErrorCode::kInvalidText, 0, "not valid UTF-8"},
           {"'\xF4\x90\x80\x80'", ParseErrorCode::kInvalidText, 0, "not valid UTF-8"},
           {"'\xE2\x82'", ParseErrorCode::kInvalidText, 0, "not valid UTF-8"},
           {"a -", ParseErrorCode::kInvalidNumber, 2, "invalid number '-'"},
           {"a -x", ParseErrorCode::kInvalidNumber, 2, "invalid number '-'"},
           {"a 1.", ParseErrorCode::kInvalidNumber, 2, "invalid number '1.'"},
           {"a -.", ParseErrorCode::kInvalidNumber, 2, "invalid number '-.'"},
           {"1" + std::string(400, '0'), ParseErrorCode::kInvalidNumber, 0, "out of range"},
           {"a / b", ParseErrorCode::kInvalidComment, 2, "expected '//'"},
           {"a /", ParseErrorCode::kInvalidComment, 2, "expected '//'"},
           {"a == 1", ParseErrorCode::kInvalidOperator, 2, "invalid operator '=='"},
           {"a =! 1", ParseErrorCode::kInvalidOperator, 2, "invalid operator '=!'"},
           {"a ? 1", ParseErrorCode::kInvalidOperator, 2, "invalid operator '?'"},
           {"a <> 1", ParseErrorCode::kInvalidOperator, 2, "invalid operator '<>'"},
           {"a ! 1", ParseErrorCode::kInvalidOperator, 2, "invalid operator '!'"},
           {"a & b", ParseErrorCode::kInvalidOperator, 2, "expected && or ||"},
           {"a &&& b", ParseErrorCode::kInvalidOperator, 2, "invalid operator '&&&'"},
           {"a |& b", ParseErrorCode::kInvalidOperator, 2, "invalid operator '|&'"},
       }) {
    ParseError error = lex_error(c.source);
    EXPECT_EQ(error.code(), c.code) << c.source << ": " << error.what();
    EXPECT_EQ(error.position(), c.position) << c.source << ": " << error.what();
    EXPECT_NE(error.message().find(c.message), std::string::npos)
        << c.source << ": " << error.what();
  }
}

TEST(Lexer, DescribeShortensLongTokens) {
  std::string source(100, 'a');
  Lexer lexer(source);
  std::string described = describe(lexer.next());
  EXPECT_EQ(described, "'" + std::string(40, 'a') + "...'");
  EXPECT_EQ(describe(Token{}), "end of input");
}

TEST(ParseError, WhatCarriesThePosition) {
  ParseError error(ParseErrorCode::kUnexpectedToken, 7, "expected && or ||, found 'x'");
  EXPECT_STREQ(error.what(), "expected && or ||, found 'x' (at position 7)");
  EXPECT_EQ(to_string(error.code()), "unexpected_token");
}

}  // namespace
}  // namespace basalt::query
