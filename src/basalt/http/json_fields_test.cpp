#include "basalt/http/json_fields.hpp"

#include <gtest/gtest.h>

#include <string>

#include "basalt/core/api_error.hpp"

namespace basalt::http {
namespace {

std::string pick(std::string_view json, std::string_view fields, bool list_envelope = false) {
  return project_json(json, parse_fields(fields), list_envelope);
}

void expect_bad_request(std::string_view fields) {
  try {
    parse_fields(fields);
    ADD_FAILURE() << "accepted fields=" << fields;
  } catch (const core::ApiError& error) {
    EXPECT_EQ(error.status(), 400) << fields;
  }
}

constexpr std::string_view kAbc = R"({"a":1,"b":2,"c":"test"})";

// The scenarios of PocketBase's tools/picker/pick_test.go, with Go's sorted-key input.
TEST(JsonFields, PocketBaseScenarios) {
  EXPECT_EQ(pick(kAbc, ""), kAbc);
  EXPECT_EQ(pick(kAbc, "missing"), "{}");
  EXPECT_EQ(pick(R"("test")", "a,b,test"), R"("test")");
  EXPECT_EQ(pick(R"(["a","b","test"])", "a,test"), R"(["a","b","test"])");
  EXPECT_EQ(pick(kAbc, "a,  c  ,missing"), R"({"a":1,"c":"test"})");
  EXPECT_EQ(pick(R"([{"a":11,"b":11,"c":"test1"},{"a":22,"b":22,"c":"test2"}])", "a,  c  ,missing"),
            R"([{"a":11,"c":"test1"},{"a":22,"c":"test2"}])");
  EXPECT_EQ(
      pick(R"({"a":1,"anySlice":[{"A":[1,2,3],"B":["1","2",3],"C":"test","D":{"DA":1,"DB":2}},)"
           R"({"A":"test"}],"b":2,"c":"test","fullMap":[{"A":[1,2,3],"B":["1","2",3],"C":"test"},)"
           R"({"B":["1","2",3],"D":[{"DA":2},{"DA":3}]}],"mapSlice":[{"A":[1,2,3],"B":["1","2",3],)"
           R"("C":"test","D":[{"DA":1}]},{"B":["1","2",3],"D":[{"DA":2},{"DA":3},{"DB":4}]}]})",
           "a, c, anySlice.A, mapSlice.C, mapSlice.D.DA, anySlice.D,fullMap"),
      R"({"a":1,"anySlice":[{"A":[1,2,3],"D":{"DA":1,"DB":2}},{"A":"test"}],"c":"test",)"
      R"("fullMap":[{"A":[1,2,3],"B":["1","2",3],"C":"test"},{"B":["1","2",3],)"
      R"("D":[{"DA":2},{"DA":3}]}],"mapSlice":[{"C":"test","D":[{"DA":1}]},)"
      R"({"D":[{"DA":2},{"DA":3},{}]}]})");
}

TEST(JsonFields, ListEnvelopeProjectsOnlyItems) {
  constexpr std::string_view kList =
      R"({"items":[{"a":11,"b":11,"c":"test1"},{"a":22,"b":22,"c":"test2"}],"page":1,)"
      R"("perPage":10,"totalItems":20,"totalPages":30})";
  EXPECT_EQ(pick(kList, "a,c,missing", true),
            R"({"items":[{"a":11,"c":"test1"},{"a":22,"c":"test2"}],"page":1,)"
            R"("perPage":10,"totalItems":20,"totalPages":30})");
  EXPECT_EQ(pick(kList, "*", true), kList);
  // Without the flag the envelope is an ordinary object.
  EXPECT_EQ(pick(kList, "page,a", false), R"({"page":1})");
  // Envelope bytes, spacing included, are kept; an empty list stays empty.
  EXPECT_EQ(pick("{ \"items\" : [ ] , \"page\" : 1 }\n", "id", true),
            "{ \"items\" : [ ] , \"page\" : 1 }\n");
  EXPECT_EQ(pick(R"({"page":1,"items":[{"id":"x","n":1}]})", "id", true),
            R"({"page":1,"items":[{"id":"x"}]})");
}

TEST(JsonFields, Wildcards) {
  constexpr std::string_view kRecord =
      R"({"id":"123","rel":{"id":"456","sub":{"id":"789","title":"sub_title"},)"
      R"("title":"rel_title"},"title":"lorem"})";
  EXPECT_EQ(pick(kRecord, "*,rel.id"), R"({"id":"123","rel":{"id":"456"},"title":"lorem"})");
  EXPECT_EQ(pick(kRecord, "id,rel.*"),
            R"({"id":"123","rel":{"id":"456","sub":{"id":"789","title":"sub_title"},)"
            R"("title":"rel_title"}})");
  EXPECT_EQ(pick(kRecord, "id,rel.*,rel.sub.id"),
            R"({"id":"123","rel":{"id":"456","sub":{"id":"789"},"title":"rel_title"}})");
  EXPECT_EQ(pick(kRecord, "rel.sub.*"), R"({"rel":{"sub":{"id":"789","title":"sub_title"}}})");
}

TEST(JsonFields, NestedExpand) {
  constexpr std::string_view kRecord =
      R"({"author":"u1","expand":{"author":{"email":"a@x","id":"u1","name":"Ann"},)"
      R"("tags":[{"id":"t1","name":"go"},{"id":"t2","name":"c++"}]},"id":"p1","title":"Hi"})";
  EXPECT_EQ(pick(kRecord, "id,expand.author.name"),
            R"({"expand":{"author":{"name":"Ann"}},"id":"p1"})");
  EXPECT_EQ(pick(kRecord, "*,expand.author.name"),
            R"({"author":"u1","expand":{"author":{"name":"Ann"}},"id":"p1","title":"Hi"})");
  EXPECT_EQ(pick(kRecord, "expand.tags.name"),
            R"({"expand":{"tags":[{"name":"go"},{"name":"c++"}]}})");
  // An exact field wins over a longer one under the same key.
  EXPECT_EQ(pick(kRecord, "expand.author.name,expand"), pick(kRecord, "expand"));
  EXPECT_EQ(pick(kRecord, "expand"),
            R"({"expand":{"author":{"email":"a@x","id":"u1","name":"Ann"},)"
            R"("tags":[{"id":"t1","name":"go"},{"id":"t2","name":"c++"}]}})");
  // A missing expand is simply absent.
  EXPECT_EQ(pick(R"({"id":"p2"})", "id,expand.author.name"), R"({"id":"p2"})");
}

TEST(JsonFields, ArraysAndScalarsUnderNestedFields) {
  // Mixed arrays: objects projected, other elements kept (PocketBase would panic).
  EXPECT_EQ(pick(R"({"l":[{"a":1,"b":2},3,null]})", "l.a"), R"({"l":[{"a":1},3,null]})");
  // An array whose first element is not an object is kept whole.
  EXPECT_EQ(pick(R"({"l":[1,{"a":1,"b":2}]})", "l.a"), R"({"l":[1,{"a":1,"b":2}]})");
  EXPECT_EQ(pick(R"({"l":[[{"a":1,"b":2}]]})", "l.a"), R"({"l":[[{"a":1,"b":2}]]})");
  // A scalar with fields under it is kept whole.
  EXPECT_EQ(pick(R"({"title":"x","n":null,"o":{}})", "title.foo,n.x,o.x"),
            R"({"title":"x","n":null,"o":{}})");
  EXPECT_EQ(pick(R"([{"a":1},{"b":2}])", "a"), R"([{"a":1},{}])");
}

TEST(JsonFields, KeptValuesKeepTheirBytes) {
  EXPECT_EQ(pick(R"({"n":1.50,"e":1e+21,"big":12345678901234567890,"s":"\u003c\/x\u003e","x":0})",
                 "n,e,big,s"),
            R"({"n":1.50,"e":1e+21,"big":12345678901234567890,"s":"\u003c\/x\u003e"})");
  EXPECT_EQ(pick("{\n  \"a\": [ 1, 2 ],\n  \"b\": { \"c\" : true }\n}", "a,b"),
            "{\"a\":[ 1, 2 ],\"b\":{ \"c\" : true }}");
  EXPECT_EQ(pick("  {\"a\":1,\"b\":2}\n", "a"), "  {\"a\":1}\n");
}

TEST(JsonFields, KeysMatchDecodedAndDotted) {
  EXPECT_EQ(pick(R"({"t\u00edtulo":1,"x":2})", "título"), R"({"t\u00edtulo":1})");
  // A key with dots matches the same dotted path.
  EXPECT_EQ(pick(R"({"a.b":1,"a":{"b":2,"c":3}})", "a.b"), R"({"a.b":1,"a":{"b":2}})");
}

TEST(JsonFields, ExcerptModifier) {
  constexpr std::string_view kRecord =
      R"({"id":"123","rel":{"id":"456","sub":{"id":"789","title":"sub_title"},)"
      R"("title":"<p>rel_title</p>"},"title":"lorem"})";
  EXPECT_EQ(pick(kRecord, "*:excerpt(2),rel.title:excerpt(3, true)"),
            R"({"id":"12","rel":{"title":"rel..."},"title":"lo"})");
  // Re-encoded with Go's escaping; decoded from JSON escapes first.
  EXPECT_EQ(pick(R"({"b":"<p>1 &lt; 2 &amp;&amp; \"q\"</p>\n\u00e9"})", "b:excerpt(100)"),
            R"({"b":"1 \u003c 2 \u0026\u0026 \"q\" é"})");
  // Not a string: left as it is.
  EXPECT_EQ(pick(R"({"n":12345,"o":{"a":"<b>x</b>"},"z":null})",
                 "n:excerpt(2),o:excerpt(1),z:excerpt(1)"),
            R"({"n":12345,"o":{"a":"<b>x</b>"},"z":null})");
  // A later entry for the same field replaces the modifier.
  EXPECT_EQ(pick(R"({"a":"abcdef"})", "a:excerpt(2),a"), R"({"a":"abcdef"})");
  EXPECT_EQ(pick(R"({"a":"abcdef"})", "a,a:excerpt(2)"), R"({"a":"ab"})");
  // Modifier syntax: spaces and separators as PocketBase's tokenizer takes them.
  EXPECT_EQ(pick(R"({"a":"abcdef"})", "a:excerpt 3 1"), R"({"a":"abc..."})");
  EXPECT_EQ(pick(R"({"a":"ab\ud83d\ude00cd"})", "a:excerpt(3,true)"), R"({"a":"ab😀..."})");
  EXPECT_EQ(pick(R"({"a":"x\ud800y"})", "a:excerpt(9)"), R"({"a":"x�y"})");
}

TEST(JsonFields, InvalidJsonIsLeftAlone) {
  for (std::string_view bad :
       {R"({"a":1,})", R"({"a":01})", R"({"a":1} x)", R"({"a":"x)", R"({"a":tru})", R"({"a":"\x"})",
        "{\"a\":\"\x01\"}", R"([1,])", R"({"a" 1})", "", "   "}) {
    EXPECT_EQ(pick(bad, "a"), bad);
  }
  std::string deep(1200, '[');
  deep += std::string(1200, ']');
  std::string wrapped = "{\"a\":" + deep + ",\"b\":1}";
  EXPECT_EQ(pick(wrapped, "b"), wrapped);
  std::string fine = "{\"a\":" + std::string(500, '[') + std::string(500, ']') + ",\"b\":1}";
  EXPECT_EQ(pick(fine, "b"), "{\"b\":1}");
}

TEST(JsonFieldsSpec, EmptyEntriesAreSkipped) {
  EXPECT_TRUE(parse_fields("").empty());
  EXPECT_TRUE(parse_fields(" , ,\t").empty());
  EXPECT_FALSE(parse_fields(" a ").empty());
  EXPECT_EQ(pick(kAbc, ",a,,\u00a0c\u00a0,"), R"({"a":1,"c":"test"})");
  EXPECT_EQ(pick(kAbc, std::string_view("a\0,c", 4)), R"({"a":1})");  // NUL ends the text
}

TEST(JsonFieldsSpec, ParenthesesAndQuotesGroup) {
  // The comma inside excerpt(...) does not split the list.
  FieldsSpec spec = parse_fields("title:excerpt(10, true),id");
  const FieldNode* title = spec.root.find("title");
  ASSERT_NE(title, nullptr);
  ASSERT_TRUE(title->excerpt.has_value());
  EXPECT_EQ(title->excerpt->max_chars(), 10);
  EXPECT_TRUE(title->excerpt->with_ellipsis());
  EXPECT_NE(spec.root.find("id"), nullptr);
  // Quotes are kept in the name.
  EXPECT_EQ(pick(R"({"'a,b'":1,"a":2})", "'a,b'"), R"({"'a,b'":1})");
}

TEST(JsonFieldsSpec, InvalidSpecsAreBadRequests) {
  expect_bad_request("a:");
  expect_bad_request("a:excerpt");
  expect_bad_request("a:excerpt()");
  expect_bad_request("a:excerpt(0)");
  expect_bad_request("a:excerpt(-5)");
  expect_bad_request("a:excerpt(x)");
  expect_bad_request("a:excerpt(1,2,3)");
  expect_bad_request("a:upper(1)");
  expect_bad_request("a:excerpt(1");
  expect_bad_request("a(");
  expect_bad_request("a'");
  expect_bad_request("a:excerpt(\"1)");
  expect_bad_request(std::string(kMaxFieldsBytes + 1, 'a'));
  EXPECT_FALSE(parse_fields(std::string(kMaxFieldsBytes, 'a')).empty());
}

TEST(JsonFieldsQuery, DecodesLikeGo) {
  EXPECT_EQ(fields_query_param(""), "");
  EXPECT_EQ(fields_query_param("page=2"), "");
  EXPECT_EQ(fields_query_param("fields=id,title"), "id,title");
  EXPECT_EQ(fields_query_param("a=1&fields=id%2Ctitle%3Aexcerpt(3%2C%20true)"),
            "id,title:excerpt(3, true)");
  EXPECT_EQ(fields_query_param("fields=a:excerpt(3,+true)"), "a:excerpt(3, true)");
  EXPECT_EQ(fields_query_param("fields=id&fields=title"), "id");  // the first wins
  EXPECT_EQ(fields_query_param("fields=%zz&fields=ok"), "ok");    // malformed pairs are skipped
  EXPECT_EQ(fields_query_param("fields=a;b&fields=c"), "c");
  EXPECT_EQ(fields_query_param("fi%65lds=x"), "x");
  EXPECT_EQ(fields_query_param("fields"), "");
  EXPECT_EQ(fields_query_param("fieldsx=1&xfields=2"), "");
}

}  // namespace
}  // namespace basalt::http
