#include "basalt/graphql/parser.hpp"

#include <gtest/gtest.h>

#include <string>

namespace basalt::graphql {
namespace {

Document ps_parse(std::string_view source, const Limits& limits = {}) {
  Error error;
  std::optional<Document> document = parse_document(source, limits, error);
  if (!document) {
    ADD_FAILURE() << "did not parse: " << source << "\n" << error.message;
    return Document();
  }
  return std::move(*document);
}

Error ps_error(std::string_view source, const Limits& limits = {}) {
  Error error;
  std::optional<Document> document = parse_document(source, limits, error);
  EXPECT_FALSE(document.has_value()) << "parsed: " << source;
  return error;
}

TEST(GraphqlParser, ReadsTheQueryShorthand) {
  Document document = ps_parse("{ a b { c } }");
  ASSERT_EQ(document.operations.size(), 1u);
  const OperationDefinition& operation = document.operations[0];
  EXPECT_EQ(operation.type, OperationType::kQuery);
  EXPECT_TRUE(operation.name.empty());
  ASSERT_EQ(operation.selections.size(), 2u);
  EXPECT_EQ(operation.selections[0].name, "a");
  ASSERT_EQ(operation.selections[1].selections.size(), 1u);
  EXPECT_EQ(operation.selections[1].selections[0].name, "c");
}

TEST(GraphqlParser, ReadsOperationsWithVariablesDirectivesAliasesAndArguments) {
  Document document = ps_parse(
      "mutation M($id: ID!, $tags: [String!]! = [\"a\"], $n: Int = 3 @d) @op {\n"
      "  renamed: update(id: $id, input: {tags: $tags, n: [1, 2.5, true, null, ENUM]}) @skip(if: "
      "false) { id }\n"
      "}");
  ASSERT_EQ(document.operations.size(), 1u);
  const OperationDefinition& operation = document.operations[0];
  EXPECT_EQ(operation.type, OperationType::kMutation);
  EXPECT_EQ(operation.name, "M");
  ASSERT_EQ(operation.variables.size(), 3u);
  const VariableDefinition& tags = operation.variables[1];
  EXPECT_EQ(tags.name, "tags");
  ASSERT_EQ(tags.type->kind, TypeNode::Kind::kNonNull);
  ASSERT_EQ(tags.type->of_type->kind, TypeNode::Kind::kList);
  ASSERT_EQ(tags.type->of_type->of_type->kind, TypeNode::Kind::kNonNull);
  EXPECT_EQ(tags.type->of_type->of_type->of_type->name, "String");
  ASSERT_NE(tags.default_value, nullptr);
  EXPECT_EQ(tags.default_value->kind, Value::Kind::kList);
  EXPECT_EQ(operation.variables[2].directives.size(), 1u);
  EXPECT_EQ(operation.directives[0].name, "op");
  const Selection& field = operation.selections[0];
  EXPECT_EQ(field.alias, "renamed");
  EXPECT_EQ(field.name, "update");
  EXPECT_EQ(field.response_name(), "renamed");
  ASSERT_EQ(field.arguments.size(), 2u);
  EXPECT_EQ(field.arguments[0].value.kind, Value::Kind::kVariable);
  EXPECT_EQ(field.arguments[0].value.text, "id");
  const Value& input = field.arguments[1].value;
  ASSERT_EQ(input.kind, Value::Kind::kObject);
  ASSERT_EQ(input.fields.size(), 2u);
  const Value& list = input.fields[1].value;
  ASSERT_EQ(list.items.size(), 5u);
  EXPECT_EQ(list.items[0].kind, Value::Kind::kInt);
  EXPECT_EQ(list.items[1].kind, Value::Kind::kFloat);
  EXPECT_EQ(list.items[2].kind, Value::Kind::kBoolean);
  EXPECT_TRUE(list.items[2].boolean);
  EXPECT_EQ(list.items[3].kind, Value::Kind::kNull);
  EXPECT_EQ(list.items[4].kind, Value::Kind::kEnum);
  EXPECT_EQ(field.directives[0].arguments[0].value.kind, Value::Kind::kBoolean);
}

TEST(GraphqlParser, ReadsFragmentsSpreadsAndInlineFragments) {
  Document document = ps_parse(
      "query { node { ...F @include(if: true) ... on User { name } ... @skip(if: false) { id } "
      "... { x } } }\n"
      "fragment F on Node @d { id }\n"
      "subscription S { events }");
  ASSERT_EQ(document.operations.size(), 2u);
  EXPECT_EQ(document.operations[1].type, OperationType::kSubscription);
  ASSERT_EQ(document.fragments.size(), 1u);
  EXPECT_EQ(document.fragments[0].name, "F");
  EXPECT_EQ(document.fragments[0].type_condition, "Node");
  EXPECT_EQ(document.fragments[0].directives.size(), 1u);
  const auto& selections = document.operations[0].selections[0].selections;
  ASSERT_EQ(selections.size(), 4u);
  EXPECT_EQ(selections[0].kind, Selection::Kind::kFragmentSpread);
  EXPECT_EQ(selections[0].name, "F");
  EXPECT_EQ(selections[0].directives.size(), 1u);
  EXPECT_EQ(selections[1].kind, Selection::Kind::kInlineFragment);
  EXPECT_EQ(selections[1].name, "User");
  EXPECT_EQ(selections[2].kind, Selection::Kind::kInlineFragment);
  EXPECT_TRUE(selections[2].name.empty());
  EXPECT_EQ(selections[2].directives.size(), 1u);
  EXPECT_TRUE(selections[3].name.empty());
}

TEST(GraphqlParser, KeywordsAreOrdinaryNamesWhereTheGrammarAllowsNames) {
  Document document = ps_parse(
      "query query { query fragment: type(on: on, null: \"x\") mutation { on } }\n"
      "fragment on_ on on { subscription }");
  EXPECT_EQ(document.operations[0].name, "query");
  EXPECT_EQ(document.operations[0].selections[1].alias, "fragment");
  EXPECT_EQ(document.operations[0].selections[1].arguments[0].value.kind, Value::Kind::kEnum);
  EXPECT_EQ(document.fragments[0].type_condition, "on");
}

TEST(GraphqlParser, DecodesStringArgumentsIntoTheArena) {
  Document document = ps_parse("{ f(a: \"x\\ny\", b: \"\"\"\n  block\n  text\n\"\"\") }");
  const auto& arguments = document.operations[0].selections[0].arguments;
  EXPECT_EQ(arguments[0].value.text, "x\ny");
  EXPECT_FALSE(arguments[0].value.block);
  EXPECT_EQ(arguments[1].value.text, "block\ntext");
  EXPECT_TRUE(arguments[1].value.block);
}

TEST(GraphqlParser, RefusesWhatTheGrammarDoesNotHave) {
  for (std::string_view bad : {"",
                               "   # only a comment",
                               "{}",
                               "{ a(): b }",
                               "query Q() { a }",
                               "{ a(b) }",
                               "{ a(b:) }",
                               "{ ...on }",
                               "fragment on on T { a }",
                               "fragment F { a }",
                               "fragment F on T",
                               "query { a",
                               "{ a } }",
                               "{ a: }",
                               "{ a @ }",
                               "{ a(b: $) }",
                               "query ($a) { b }",
                               "query ($a: ) { b }",
                               "query ($a: [Int) { b }",
                               "{ a(b: {c}) }",
                               "{ a(b: [1,) }",
                               "{ a b: c: d }",
                               "{ ... }",
                               "notakeyword { a }",
                               "{ a } x",
                               "query ($a: Int = $b) { c }",
                               "query ($a: Int @d(x: $y)) { c }",
                               "{ a(b: 1.) }",
                               "{ a(b: 0x10) }",
                               "query Q! { a }"}) {
    Error error = ps_error(bad);
    EXPECT_EQ(error.code, ErrorCode::kParseFailed) << bad << "\n" << error.message;
  }
}

TEST(GraphqlParser, RefusesTypeSystemDefinitionsAsNotExecutable) {
  for (std::string_view definition :
       {"type T { a: Int }", "schema { query: Q }", "scalar S", "interface I { a: Int }",
        "union U = A | B", "enum E { A }", "input I { a: Int }", "directive @d on FIELD",
        "extend type T { b: Int }", "\"description\" type T { a: Int }"}) {
    std::string source = "{ a }\n" + std::string(definition);
    Error error = ps_error(source);
    EXPECT_EQ(error.code, ErrorCode::kValidationFailed) << definition;
    EXPECT_NE(error.message.find("not executable"), std::string::npos) << error.message;
    EXPECT_EQ(error.offsets, std::vector<std::uint32_t>{6});
  }
}

TEST(GraphqlParser, ReportsWhereTheSyntaxBreaks) {
  Error error = ps_error("{\n  a(b: 1\n}");
  EXPECT_EQ(error.message, "Syntax Error: Expected Name, found \"}\".");
  EXPECT_EQ(
      error_json(error, "{\n  a(b: 1\n}"),
      R"({"message":"Syntax Error: Expected Name, found \"}\".","locations":[{"line":3,"column":1}],"extensions":{"code":"parse-failed"}})");
  EXPECT_EQ(ps_error("").message, "Syntax Error: Unexpected <EOF>.");
}

TEST(GraphqlParser, EnforcesTheDocumentSizeAndTokenLimits) {
  Limits limits;
  limits.max_document_bytes = 10;
  Error error = ps_error("{ abcdefghij }", limits);
  EXPECT_EQ(error.code, ErrorCode::kLimitExceeded);
  EXPECT_TRUE(error.offsets.empty());
  ps_parse("{ abcdef }", limits);

  Limits tokens;
  tokens.max_tokens = 5;
  EXPECT_EQ(ps_error("{ a b c d }", tokens).code, ErrorCode::kLimitExceeded);
  ps_parse("{ a b c }", tokens);
}

TEST(GraphqlParser, BoundsFieldDepthBeforeDescending) {
  Limits limits;
  limits.max_depth = 3;
  ps_parse("{ a { b { c } } }", limits);
  Error error = ps_error("{ a { b { c { d } } } }", limits);
  EXPECT_EQ(error.code, ErrorCode::kLimitExceeded);
  // At the selection set that would open the fourth level.
  EXPECT_EQ(error.offsets, std::vector<std::uint32_t>{12});
  // Inline fragments do not add field depth.
  ps_parse("{ a { ... { ... on T { b { c } } } } }", limits);
}

TEST(GraphqlParser, BoundsNestingOfValuesTypesAndInlineFragments) {
  Limits limits;
  limits.max_nesting = 8;
  std::string deep_list = "{ a(b: " + std::string(20, '[') + std::string(20, ']') + ") }";
  EXPECT_EQ(ps_error(deep_list, limits).code, ErrorCode::kLimitExceeded);
  std::string deep_object = "{ a(b: ";
  for (int i = 0; i < 20; ++i) deep_object += "{x: ";
  deep_object += "1" + std::string(20, '}') + ") }";
  EXPECT_EQ(ps_error(deep_object, limits).code, ErrorCode::kLimitExceeded);
  std::string deep_type =
      "query ($a: " + std::string(20, '[') + "Int" + std::string(20, ']') + ") { a }";
  EXPECT_EQ(ps_error(deep_type, limits).code, ErrorCode::kLimitExceeded);
  std::string deep_inline = "{ ";
  for (int i = 0; i < 20; ++i) deep_inline += "... { ";
  deep_inline += "a" + std::string(20, '}') + " }";
  EXPECT_EQ(ps_error(deep_inline, limits).code, ErrorCode::kLimitExceeded);
  ps_parse("{ a(b: [[[{x: [1]}]]]) }", limits);
}

TEST(GraphqlParser, SurvivesHugeNestingWithoutRecursingPastTheLimit) {
  // 100,000 brackets: refused at the limit, long before the stack could matter.
  std::string source = "{ a(b: " + std::string(100000, '[') + ") }";
  Limits limits;
  limits.max_document_bytes = 1 << 20;
  limits.max_tokens = 1 << 20;
  EXPECT_EQ(ps_error(source, limits).code, ErrorCode::kLimitExceeded);
}

TEST(GraphqlParser, BoundsListLiterals) {
  Limits limits;
  limits.max_list_items = 3;
  ps_parse("{ a(b: [1, 2, 3]) }", limits);
  Error error = ps_error("{ a(b: [1, 2, 3, 4]) }", limits);
  EXPECT_EQ(error.code, ErrorCode::kLimitExceeded);
  EXPECT_EQ(error.offsets, std::vector<std::uint32_t>{7});
}

TEST(GraphqlParser, KeepsTheDocumentValidAfterAMove) {
  std::string source = "{ a(s: \"\\u0041\") }";
  Error error;
  std::optional<Document> parsed = parse_document(source, Limits{}, error);
  ASSERT_TRUE(parsed);
  Document moved = std::move(*parsed);
  parsed.reset();
  EXPECT_EQ(moved.operations[0].selections[0].arguments[0].value.text, "A");
}

}  // namespace
}  // namespace basalt::graphql
