#include "basalt/query/parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "basalt/query/parse_error.hpp"

namespace basalt::query {
namespace {

std::string parsed(std::string_view text, ParseLimits limits = ParseLimits::client_filter()) {
  try {
    return to_string(parse_filter(text, limits));
  } catch (const ParseError& error) {
    return std::string("error: ") + error.what();
  }
}

struct Case {
  const char* filter;
  const char* ast;
};

void expect_all(std::initializer_list<Case> cases) {
  for (const Case& c : cases) EXPECT_EQ(parsed(c.filter), c.ast) << c.filter;
}

TEST(Parser, EveryOperator) {
  expect_all({
      {"a = 1", "(= a 1)"},
      {"a != 1", "(!= a 1)"},
      {"a > 1", "(> a 1)"},
      {"a >= 1", "(>= a 1)"},
      {"a < 1", "(< a 1)"},
      {"a <= 1", "(<= a 1)"},
      {"a ~ 'x'", "(~ a \"x\")"},
      {"a !~ 'x'", "(!~ a \"x\")"},
      {"a ?= 1", "(?= a 1)"},
      {"a ?!= 1", "(?!= a 1)"},
      {"a ?> 1", "(?> a 1)"},
      {"a ?>= 1", "(?>= a 1)"},
      {"a ?< 1", "(?< a 1)"},
      {"a ?<= 1", "(?<= a 1)"},
      {"a ?~ 'x'", "(?~ a \"x\")"},
      {"a ?!~ 'x'", "(?!~ a \"x\")"},
  });
}

TEST(Parser, AnyOperatorsMapToTheirPlainForms) {
  EXPECT_FALSE(is_any(Operator::kNotLike));
  EXPECT_TRUE(is_any(Operator::kAnyEq));
  EXPECT_EQ(without_any(Operator::kAnyEq), Operator::kEq);
  EXPECT_EQ(without_any(Operator::kAnyNotLike), Operator::kNotLike);
  EXPECT_EQ(without_any(Operator::kAnyGte), Operator::kGte);
  EXPECT_EQ(without_any(Operator::kLt), Operator::kLt);
}

TEST(Parser, AndBindsTighterThanOr) {
  expect_all({
      {"a = 1 && b = 2", "(and (= a 1) (= b 2))"},
      {"a = 1 && b = 2 && c = 3", "(and (= a 1) (= b 2) (= c 3))"},
      {"a = 1 || b = 2 || c = 3", "(or (= a 1) (= b 2) (= c 3))"},
      {"a = 1 || b = 2 && c = 3", "(or (= a 1) (and (= b 2) (= c 3)))"},
      {"a = 1 && b = 2 || c = 3", "(or (and (= a 1) (= b 2)) (= c 3))"},
      {"a = 1 && b = 2 || c = 3 && d = 4", "(or (and (= a 1) (= b 2)) (and (= c 3) (= d 4)))"},
  });
}

TEST(Parser, ParenthesesGroupWithoutNodesOfTheirOwn) {
  expect_all({
      {"(a = 1)", "(= a 1)"},
      {"((((a = 1))))", "(= a 1)"},
      {"(a = 1 || b = 2) && c = 3", "(and (or (= a 1) (= b 2)) (= c 3))"},
      {"(a = 1 && b = 2) && c = 3", "(and (and (= a 1) (= b 2)) (= c 3))"},
      {"a = 1 && (b = 2 || (c = 3 && d = 4))", "(and (= a 1) (or (= b 2) (and (= c 3) (= d 4))))"},
      {"(a=1)&&(b=2)", "(and (= a 1) (= b 2))"},
  });
}

TEST(Parser, Identifiers) {
  expect_all({
      {"title = 'x'", "(= title \"x\")"},
      {"_id = 1", "(= _id 1)"},
      {"author.organization.name = 'x'", "(= author.organization.name \"x\")"},
      {"author.name:lower = 'x'", "(= author.name:lower \"x\")"},
      {"tags:each ?~ 'a'", "(?~ tags:each \"a\")"},
      {"title:length > 3", "(> title:length 3)"},
      {"comments_via_post.message ?~ 'x'", "(?~ comments_via_post.message \"x\")"},
      {"meta.list.0 = 1", "(= meta.list.0 1)"},
      {"@request.context = 'oauth2'", "(= @request.context \"oauth2\")"},
      {"@request.method = 'GET'", "(= @request.method \"GET\")"},
      {"@request.auth.id != ''", "(!= @request.auth.id \"\")"},
      {"@request.auth.team.owner = id", "(= @request.auth.team.owner id)"},
      {"@request.body.title:changed = false", "(= @request.body.title:changed false)"},
      {"@request.body.tags:isset = true", "(= @request.body.tags:isset true)"},
      {"@request.body.tags:length < 3", "(< @request.body.tags:length 3)"},
      {"@request.query.page = '1'", "(= @request.query.page \"1\")"},
      {"@request.headers.x_token = 'a'", "(= @request.headers.x_token \"a\")"},
      {"@collection.users.email = 'a'", "(= @collection.users.email \"a\")"},
      {"@collection.users:u.email = @request.auth.email",
       "(= @collection.users:u.email @request.auth.email)"},
      {"@collection.users:each.tags:each = 'x'", "(= @collection.users:each.tags:each \"x\")"},
  });
}

TEST(Parser, IdentifierParts) {
  Ast ast = parse_filter("@collection.users:u.profile.name:lower = author.name:each");
  const auto& comparison = std::get<Comparison>(ast.root().node);
  const auto& left = std::get<Identifier>(comparison.left.value);
  EXPECT_EQ(left.root, IdentifierRoot::kCollection);
  EXPECT_EQ(left.collection, "users");
  EXPECT_EQ(left.alias, "u");
  ASSERT_EQ(left.path().size(), 2u);
  EXPECT_EQ(left.path()[0], "profile");
  EXPECT_EQ(left.path()[1], "name");
  EXPECT_EQ(left.modifier, Modifier::kLower);
  const auto& right = std::get<Identifier>(comparison.right.value);
  EXPECT_EQ(right.root, IdentifierRoot::kField);
  ASSERT_EQ(right.path().size(), 2u);
  EXPECT_EQ(right.path()[0], "author");
  EXPECT_EQ(right.modifier, Modifier::kEach);

  Ast request = parse_filter("@request.context = @request.auth.id");
  const auto& pair = std::get<Comparison>(request.root().node);
  const auto& context = std::get<Identifier>(pair.left.value);
  EXPECT_EQ(context.root, IdentifierRoot::kRequestContext);
  EXPECT_TRUE(context.path().empty());
  const auto& auth = std::get<Identifier>(pair.right.value);
  EXPECT_EQ(auth.root, IdentifierRoot::kRequestAuth);
  ASSERT_EQ(auth.path().size(), 1u);
  EXPECT_EQ(auth.path()[0], "id");
}

TEST(Parser, Literals) {
  expect_all({
      {"a = null", "(= a null)"},
      {"a = NULL", "(= a null)"},
      {"a = True", "(= a true)"},
      {"a = FALSE", "(= a false)"},
      {"null = a", "(= null a)"},
      {"'x' = a", "(= \"x\" a)"},
      {"1 = 1", "(= 1 1)"},
      {"a = 10.5", "(= a 10.5)"},
      {"a = -14", "(= a -14)"},
      {"a>-1", "(> a -1)"},
      {"a = 007", "(= a 7)"},
      {"a = -.5", "(= a -0.5)"},
      {"a = 0.1", "(= a 0.1)"},
      {"a = 12345678901234567890", "(= a 12345678901234567168)"},
      {"a = \"x\"", "(= a \"x\")"},
      {"a = ''", "(= a \"\")"},
      {R"(a = 'it\'s')", R"((= a "it's"))"},
      {R"(a = "say \"hi\"")", R"((= a "say \"hi\""))"},
      {R"(a = 'mixed "quotes"')", R"((= a "mixed \"quotes\""))"},
      {R"(a = 'keeps \" and \\ too')", R"((= a "keeps \\\" and \\\\ too"))"},
      {"a = 'two\nlines'", "(= a \"two\\nlines\")"},
      {"a = 'caf\xC3\xA9'", "(= a \"caf\xC3\xA9\")"},
      // Keywords with a path or modifier are identifiers again.
      {"null.x = 1", "(= null.x 1)"},
      {"true:lower = 1", "(= true:lower 1)"},
  });
}

TEST(Parser, LiteralValues) {
  Ast ast = parse_filter(R"(a = 'it\'s' || b = -2.5 || c = null || d = True)");
  auto children = std::get<Logical>(ast.root().node).children();
  ASSERT_EQ(children.size(), 4u);
  auto right = [&](int i) { return std::get<Comparison>(children[i].node).right.value; };
  EXPECT_EQ(std::get<Text>(right(0)).value, "it's");
  EXPECT_EQ(std::get<Number>(right(1)).value, -2.5);
  EXPECT_TRUE(std::holds_alternative<Null>(right(2)));
  EXPECT_TRUE(std::get<Bool>(right(3)).value);
}

TEST(Parser, EveryMacro) {
  for (const char* macro : {"@now", "@yesterday", "@tomorrow", "@todayStart", "@todayEnd",
                            "@monthStart", "@monthEnd", "@yearStart", "@yearEnd", "@second",
                            "@minute", "@hour", "@day", "@month", "@weekday", "@year"}) {
    std::string filter = std::string("created > ") + macro;
    Ast ast = parse_filter(filter);
    const auto& right = std::get<Comparison>(ast.root().node).right;
    ASSERT_TRUE(std::holds_alternative<Macro>(right.value)) << macro;
    EXPECT_EQ(to_string(std::get<Macro>(right.value)), macro);
    EXPECT_EQ(to_string(ast), std::string("(> created ") + macro + ")");
  }
}

TEST(Parser, FunctionCalls) {
  expect_all({
      {"geoDistance(lon, lat, 1.5, -2) < 25", "(< (geoDistance lon lat 1.5 -2) 25)"},
      {"geoDistance(a.lon,a.lat,b.lon,b.lat,) < 1", "(< (geoDistance a.lon a.lat b.lon b.lat) 1)"},
      {"geoDistance(null, true, @now, x) < 1", "(< (geoDistance null true @now x) 1)"},
      {"geoDistance( a , // from\n b ,\n c , d ) < 1", "(< (geoDistance a b c d) 1)"},
      {"strftime('%Y') = '2024'", "(= (strftime \"%Y\") \"2024\")"},
      {"strftime('%Y-%m', created) = '2024-01'", "(= (strftime \"%Y-%m\" created) \"2024-01\")"},
      {"strftime('%s', 12345) > 1", "(> (strftime \"%s\" 12345) 1)"},
      {"strftime('%Y', 'now', 'start of month', '+1 day') != ''",
       "(!= (strftime \"%Y\" \"now\" \"start of month\" \"+1 day\") \"\")"},
      {"strftime('%Y', @now) = strftime('%Y', created)",
       "(= (strftime \"%Y\" @now) (strftime \"%Y\" created))"},
      {"strftime('%Y',created,) = ''", "(= (strftime \"%Y\" created) \"\")"},
  });
}

TEST(Parser, FunctionCallParts) {
  Ast ast = parse_filter("geoDistance(a, b, 1, 2) < 10");
  const auto& left = std::get<Comparison>(ast.root().node).left;
  const auto& call = std::get<FunctionCall>(left.value);
  EXPECT_EQ(call.function, Function::kGeoDistance);
  ASSERT_EQ(call.args().size(), 4u);
  EXPECT_EQ(std::get<Number>(call.args()[3].value).value, 2);
  EXPECT_EQ(ast.text(left.range), "geoDistance(a, b, 1, 2)");
  EXPECT_EQ(ast.text(call.args()[1].range), "b");
}

TEST(Parser, CommentsAndBlanks) {
  expect_all({
      {"// leading\na = 1 // trailing", "(= a 1)"},
      {"a = 1 // why\n&& b = 2", "(and (= a 1) (= b 2))"},
      {"a = 1 //", "(= a 1)"},
      {"(a = 1 // a ) here is comment text\n)", "(= a 1)"},
      {"a = 1\r\n&&\tb = 2", "(and (= a 1) (= b 2))"},
      {"a = 'x // not a comment'", "(= a \"x // not a comment\")"},
  });
}

TEST(Parser, RangesPointIntoTheSource) {
  Ast ast = parse_filter("  (a = 1 && bb != 'x')  || c ~ 'y'");
  auto children = std::get<Logical>(ast.root().node).children();
  ASSERT_EQ(children.size(), 2u);
  EXPECT_EQ(ast.text(ast.root().range), "(a = 1 && bb != 'x')  || c ~ 'y'");
  EXPECT_EQ(ast.text(children[0].range), "(a = 1 && bb != 'x')");
  auto inner = std::get<Logical>(children[0].node).children();
  EXPECT_EQ(ast.text(inner[1].range), "bb != 'x'");
  const auto& comparison = std::get<Comparison>(inner[1].node);
  EXPECT_EQ(ast.text(comparison.left.range), "bb");
  EXPECT_EQ(ast.text(comparison.right.range), "'x'");
}

TEST(Parser, CountsLeaves) {
  EXPECT_EQ(parse_filter("a = 1").leaf_count(), 1u);
  EXPECT_EQ(parse_filter("(1=1 || 1=1) && (1=1 || (1=1 || 1=1)) && (1=1)").leaf_count(), 6u);
}

TEST(Parser, AstOwnsItsStrings) {
  std::string text = R"(a = 'x' && b = 'it\'s')";
  Ast ast = parse_filter(text);
  text.assign(text.size(), '#');
  Ast moved = std::move(ast);
  EXPECT_EQ(to_string(moved), R"((and (= a "x") (= b "it's")))");
  EXPECT_EQ(moved.source(), R"(a = 'x' && b = 'it\'s')");

  std::string small = "a=1";  // fits a string's inline buffer
  Ast tiny = parse_filter(small);
  small = "zzz";
  Ast tiny_moved(std::move(tiny));
  EXPECT_EQ(to_string(tiny_moved), "(= a 1)");
}

TEST(Parser, LimitsAreInclusive) {
  // Exactly 3500 bytes, as PocketBase's provider_test does.
  std::string longest = "1='" + std::string(3500 - 4, 'a') + "'";
  ASSERT_EQ(longest.size(), 3500u);
  EXPECT_NO_THROW(parse_filter(longest));
  std::string leaves = "a=1";
  for (int i = 1; i < 200; ++i) leaves += "&&a=1";
  EXPECT_EQ(parse_filter(leaves).leaf_count(), 200u);
  std::string deep = std::string(64, '(') + "a=1" + std::string(64, ')');
  EXPECT_EQ(parsed(deep), "(= a 1)");
}

TEST(Parser, StoredRulesHaveNoLengthLimit) {
  std::string rule = "a = '" + std::string(100000, 'x') + "'";
  EXPECT_NO_THROW(parse_filter(rule, ParseLimits::stored_rule()));
}

TEST(Parser, ATypicalRule) {
  Ast ast = parse_filter(
      "@request.auth.id != '' && (owner = @request.auth.id || members.id ?= @request.auth.id) "
      "&& status = 'published' && created > @yesterday",
      ParseLimits::stored_rule());
  EXPECT_EQ(ast.leaf_count(), 5u);
  EXPECT_EQ(to_string(ast),
            "(and (!= @request.auth.id \"\") (or (= owner @request.auth.id) "
            "(?= members.id @request.auth.id)) (= status \"published\") (> created @yesterday))");
}

}  // namespace
}  // namespace basalt::query
