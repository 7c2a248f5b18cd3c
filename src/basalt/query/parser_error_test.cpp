// Every way parse_filter rejects input: the code, the byte position and the message.
#include <gtest/gtest.h>

#include <string>

#include "basalt/query/parse_error.hpp"
#include "basalt/query/parser.hpp"

namespace basalt::query {
namespace {

using Code = ParseErrorCode;

struct Case {
  std::string filter;
  Code code;
  std::size_t position;
  std::string message;  // a part of ParseError::message()
};

void expect_errors(std::initializer_list<Case> cases,
                   ParseLimits limits = ParseLimits::client_filter()) {
  for (const Case& c : cases) {
    try {
      Ast ast = parse_filter(c.filter, limits);
      ADD_FAILURE() << "parsed: " << c.filter.substr(0, 80) << " -> " << to_string(ast);
    } catch (const ParseError& error) {
      std::string shown = c.filter.substr(0, 80) + " -> " + error.what();
      EXPECT_EQ(to_string(error.code()), to_string(c.code)) << shown;
      EXPECT_EQ(error.position(), c.position) << shown;
      EXPECT_NE(error.message().find(c.message), std::string::npos) << shown;
    }
  }
}

std::string repeat_and(const std::string& leaf, int count) {
  std::string out = leaf;
  for (int i = 1; i < count; ++i) out += " && " + leaf;
  return out;
}

TEST(ParserErrors, TooLong) {
  std::string filter = "1='" + std::string(3500 - 3, 'a') + "'";
  ASSERT_EQ(filter.size(), 3501u);
  expect_errors({{filter, Code::kTooLong, 3500, "longer than 3500 bytes"}});
  ParseLimits tight{10, 200, 64};
  expect_errors({{"title = 'abcdef'", Code::kTooLong, 10, "longer than 10 bytes"}}, tight);
}

TEST(ParserErrors, TooManyLeaves) {
  std::string filter = repeat_and("a=1", 201);  // the 201st starts at 200 * 7
  expect_errors({{filter, Code::kTooManyLeaves, 1400, "at most 200"}});
  expect_errors({{filter, Code::kTooManyLeaves, 1400, "at most 200"}}, ParseLimits::stored_rule());
  // Counted across groups, as PocketBase counts them.
  ParseLimits five{3500, 5, 64};
  expect_errors(
      {{"(1=1 || 1=1) && (1=1 || (1=1 || 1=1)) && (1=1)", Code::kTooManyLeaves, 42, "at most 5"}},
      five);
}

TEST(ParserErrors, TooDeep) {
  std::string deep = std::string(65, '(') + "a=1" + std::string(65, ')');
  expect_errors({{deep, Code::kTooDeep, 64, "deeper than 64 levels"}});
  // Without the limit an unclosed run of parentheses would still stop here, not overflow.
  expect_errors({{std::string(100000, '('), Code::kTooDeep, 64, "deeper than 64"}},
                ParseLimits::stored_rule());
  ParseLimits shallow{3500, 200, 2};
  expect_errors({{"a=1 || ((b=1 && (c=1)))", Code::kTooDeep, 16, "deeper than 2 levels"}}, shallow);
  expect_errors({
      {"strftime('%Y', strftime('%Y', strftime('%Y', strftime('%Y')))) = 1", Code::kTooDeep, 45,
       "function calls nest deeper than 3 levels"},
  });
}

TEST(ParserErrors, Empty) {
  expect_errors({
      {"", Code::kEmpty, 0, "empty filter"},
      {"   \n\t", Code::kEmpty, 5, "empty filter"},
      {"// only a comment", Code::kEmpty, 17, "empty filter"},
  });
}

TEST(ParserErrors, LexicalErrorsSurface) {
  expect_errors({
      {"a = $", Code::kUnexpectedCharacter, 4, "unexpected character '$'"},
      {"a = 'abc", Code::kUnterminatedText, 4, "unterminated text"},
      {R"(a = "abc\")", Code::kUnterminatedText, 4, "unterminated text"},
      {"a = '\xFF'", Code::kInvalidText, 4, "UTF-8"},
      {"a = 1.", Code::kInvalidNumber, 4, "invalid number"},
      {"a = 1 / b", Code::kInvalidComment, 6, "'//'"},
      {"geoDistance(a, /* no */ b, c, d) < 1", Code::kInvalidComment, 15, "'//'"},
      {"a == 1", Code::kInvalidOperator, 2, "'=='"},
      {"a = 1 & b = 2", Code::kInvalidOperator, 6, "expected && or ||"},
  });
}

TEST(ParserErrors, BadIdentifiers) {
  expect_errors({
      {"a..b = 1", Code::kInvalidIdentifier, 2, "empty identifier segment"},
      {"a. = 1", Code::kInvalidIdentifier, 1, "cannot end with '.'"},
      {"@ = 1", Code::kInvalidIdentifier, 0, "invalid identifier '@'"},
      {"_ = 1", Code::kInvalidIdentifier, 0, "invalid identifier '_'"},
      {"#x = 1", Code::kInvalidIdentifier, 0, "unknown identifier '#x'"},
      {"@foo = 1", Code::kInvalidIdentifier, 0, "unknown identifier '@foo'"},
      {"@NOW = 1", Code::kInvalidIdentifier, 0, "unknown identifier '@NOW'"},
      {"@now.x = 1", Code::kInvalidIdentifier, 0, "unknown identifier '@now.x'"},
      {"@request = 1", Code::kInvalidIdentifier, 0, "unknown request field"},
      {"@request.data.x = 1", Code::kInvalidIdentifier, 9, "unknown request field"},
      {"@request.auth = 1", Code::kInvalidIdentifier, 13, "expected a field name"},
      {"@request.context.x = 1", Code::kInvalidIdentifier, 16, "@request.context has no fields"},
      {"@collection.users = 1", Code::kInvalidIdentifier, 17, "@collection.<name>.<field>"},
      {"@collection..email = 1", Code::kInvalidIdentifier, 12, "empty identifier segment"},
      {"a = b.:each", Code::kInvalidIdentifier, 6, "empty identifier segment before ':'"},
  });
}

TEST(ParserErrors, BadModifiers) {
  expect_errors({
      {"a:foo = 1", Code::kInvalidModifier, 2, "unknown modifier ':foo'"},
      {"a:EACH = 1", Code::kInvalidModifier, 2, "unknown modifier ':EACH'"},
      {"a:each:lower = 1", Code::kInvalidModifier, 6, "at most one modifier"},
      {"a: = 1", Code::kInvalidModifier, 2, "expected a modifier name"},
      {"a:each.b = 1", Code::kInvalidModifier, 1, "only follow the last segment"},
      {"@request.body:each.x = 1", Code::kInvalidModifier, 13, "only follow the last segment"},
      {"@request.context:lower = 1", Code::kInvalidModifier, 16, "takes no modifier"},
      {"@collection.users:u:v.email = 1", Code::kInvalidModifier, 19, "at most one modifier"},
  });
}

TEST(ParserErrors, UnexpectedTokens) {
  expect_errors({
      {"a = 1 b = 2", Code::kUnexpectedToken, 6, "expected && or ||"},
      {"a = b = c", Code::kUnexpectedToken, 6, "expected && or || between comparisons, found '='"},
      {"a = 1, b = 2", Code::kUnexpectedToken, 5, "found ','"},
      {"(a = 1) (b = 2)", Code::kUnexpectedToken, 8, "found '('"},
      {"a 1", Code::kUnexpectedToken, 2, "expected an operator"},
      {"a", Code::kUnexpectedToken, 1, "expected an operator"},
      {"a &&", Code::kUnexpectedToken, 2, "expected an operator (=, !="},
      {"a =", Code::kUnexpectedToken, 3, "after '=', found end of input"},
      {"a = && b", Code::kUnexpectedToken, 4, "found '&&'"},
      {"a = (b = 1)", Code::kUnexpectedToken, 4, "found '('"},
      {"= 1", Code::kUnexpectedToken, 0, "expected a comparison or '('"},
      {"a = 1 &&", Code::kUnexpectedToken, 8, "expected a comparison or '(', found end of input"},
      {"&& a = 1", Code::kUnexpectedToken, 0, "found '&&'"},
      {"a = 1 && || b = 2", Code::kUnexpectedToken, 9, "found '||'"},
      {"()", Code::kUnexpectedToken, 1, "expected a comparison or '(', found ')'"},
      {"(a = 1 b = 2)", Code::kUnexpectedToken, 7, "expected &&, || or ')'"},
      {"strftime ('%Y') = 1", Code::kUnexpectedToken, 9, "expected an operator"},
  });
}

TEST(ParserErrors, UnbalancedParentheses) {
  expect_errors({
      {"(a = 1", Code::kUnbalancedParenthesis, 6, "missing ')' to close the '(' at position 0"},
      {"((a = 1)", Code::kUnbalancedParenthesis, 8, "'(' at position 0"},
      {"a = 1)", Code::kUnbalancedParenthesis, 5, "')' without a matching '('"},
      {"(a = 1))", Code::kUnbalancedParenthesis, 7, "without a matching '('"},
      {"strftime('%Y' = 1", Code::kUnexpectedToken, 14, "expected ',' or ')'"},
      {"a = strftime('%Y',", Code::kUnbalancedParenthesis, 18,
       "missing ')' to close the call of strftime() at position 4"},
  });
}

TEST(ParserErrors, UnknownFunctions) {
  expect_errors({
      {"foo(1) = 1", Code::kUnknownFunction, 0, "unknown function 'foo'"},
      {"a = GeoDistance(a, b, c, d)", Code::kUnknownFunction, 4, "'GeoDistance'"},
      {"a.b(1) = 1", Code::kUnknownFunction, 0, "'a.b'"},
  });
}

TEST(ParserErrors, FunctionArity) {
  expect_errors({
      {"geoDistance(a, b, c) < 1", Code::kFunctionArity, 0, "takes 4 arguments, got 3"},
      {"geoDistance(a, b, c, d, e) < 1", Code::kFunctionArity, 0, "takes 4 arguments, got 5"},
      {"geoDistance() < 1", Code::kFunctionArity, 0, "takes 4 arguments, got 0"},
      {"1 < strftime()", Code::kFunctionArity, 4, "strftime() takes 1 to 10 arguments, got 0"},
      {"strftime('a','b','c','d','e','f','g','h','i','j','k') = 1", Code::kFunctionArity, 0,
       "takes 1 to 10 arguments, got 11"},
  });
}

TEST(ParserErrors, FunctionArguments) {
  expect_errors({
      {"geoDistance('a', b, c, d) < 1", Code::kFunctionArgument, 12,
       "argument 1 of geoDistance() must be an identifier or a number"},
      {"geoDistance(a, b, c, strftime('%Y')) < 1", Code::kFunctionArgument, 21,
       "argument 4 of geoDistance()"},
      {"strftime(created) = 1", Code::kFunctionArgument, 9,
       "argument 1 of strftime() must be a text"},
      {"strftime(1) = 1", Code::kFunctionArgument, 9, "must be a text"},
      {"strftime('%Y', created, 1) = 1", Code::kFunctionArgument, 24,
       "argument 3 of strftime() must be a text"},
      {"strftime('%Y', strftime('%Y')) = 1", Code::kFunctionArgument, 15,
       "argument 2 of strftime() must be a text, an identifier or a number"},
      {"strftime(,'%Y') = 1", Code::kUnexpectedToken, 9, "found ','"},
      {"strftime('%Y',,) = 1", Code::kUnexpectedToken, 14, "found ','"},
      {"strftime('%Y' '%m') = 1", Code::kUnexpectedToken, 14, "expected ',' or ')'"},
      {"strftime(('%Y')) = 1", Code::kUnexpectedToken, 9, "found '('"},
      {"strftime('%Y' && a) = 1", Code::kUnexpectedToken, 14, "found '&&'"},
      {"strftime(a:foo) = 1", Code::kInvalidModifier, 11, "unknown modifier"},
  });
}

}  // namespace
}  // namespace basalt::query
