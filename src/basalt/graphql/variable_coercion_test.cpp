#include "basalt/graphql/variable_coercion.hpp"

#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>

#include "basalt/graphql/parser.hpp"
#include "basalt/graphql/testing/pet_schema.hpp"
#include "basalt/graphql/validator.hpp"

namespace basalt::graphql {
namespace {

const Schema& vc_schema() {
  static const std::unique_ptr<Schema> schema = testing::make_pet_schema();
  return *schema;
}

struct VcResult {
  std::string coerced;  // the coerced variables' JSON, when there were no errors
  std::vector<Error> errors;
};

// Coerces `variables_json` for the variable definitions `definitions` (e.g. "$a: Int"); the
// operation uses every variable in a JSON argument so that it validates.
VcResult vc_coerce(const std::string& definitions, const std::string& variables_json,
                   const Limits& limits = {}) {
  std::string source = "query (" + definitions + ") { json(value: [";
  for (std::size_t at = definitions.find('$'); at != std::string::npos;
       at = definitions.find('$', at + 1)) {
    std::size_t end = definitions.find(':', at);
    source += definitions.substr(at, end - at) + " ";
  }
  source += "]) }";
  Error error;
  std::optional<Document> document = parse_document(source, limits, error);
  if (!document) {
    ADD_FAILURE() << error.message;
    return {};
  }
  std::vector<Error> invalid = validate(*document, vc_schema(), limits);
  EXPECT_TRUE(invalid.empty()) << source << "\n" << (invalid.empty() ? "" : invalid[0].message);
  boost::json::object provided = boost::json::parse(variables_json).as_object();
  boost::json::object coerced;
  VcResult result;
  result.errors =
      coerce_variables(vc_schema(), document->operations[0], &provided, limits, coerced);
  if (result.errors.empty()) result.coerced = boost::json::serialize(coerced);
  return result;
}

std::string vc_ok(const std::string& definitions, const std::string& variables_json) {
  VcResult result = vc_coerce(definitions, variables_json);
  EXPECT_TRUE(result.errors.empty()) << definitions << " " << variables_json << ": "
                                     << (result.errors.empty() ? "" : result.errors[0].message);
  return result.coerced;
}

std::string vc_fail(const std::string& definitions, const std::string& variables_json) {
  VcResult result = vc_coerce(definitions, variables_json);
  EXPECT_FALSE(result.errors.empty())
      << definitions << " " << variables_json << " coerced to " << result.coerced;
  if (result.errors.empty()) return {};
  EXPECT_EQ(result.errors[0].code, ErrorCode::kValidationFailed);
  return result.errors[0].message;
}

TEST(GraphqlVariables, CoercesBuiltInScalars) {
  EXPECT_EQ(vc_ok("$a: Int, $b: Float, $c: String, $d: Boolean, $e: ID, $f: ID",
                  R"({"a": 7, "b": 2, "c": "x", "d": true, "e": "id1", "f": 42})"),
            R"({"a":7,"b":2E0,"c":"x","d":true,"e":"id1","f":"42"})");
  EXPECT_EQ(vc_ok("$a: Int", R"({"a": 3.0})"), R"({"a":3})");
  EXPECT_EQ(vc_ok("$a: Int", R"({"a": -2147483648})"), R"({"a":-2147483648})");
  EXPECT_EQ(vc_ok("$a: JSON", R"({"a": {"any": [1, "thing"]}})"), R"({"a":{"any":[1,"thing"]}})");
}

TEST(GraphqlVariables, RefusesValuesAScalarCannotRepresent) {
  EXPECT_NE(vc_fail("$a: Int", R"({"a": 1.5})").find("Int cannot represent non-integer value: 1.5"),
            std::string::npos);
  EXPECT_NE(vc_fail("$a: Int", R"({"a": 2147483648})").find("non 32-bit"), std::string::npos);
  vc_fail("$a: Int", R"({"a": "1"})");
  vc_fail("$a: Float", R"({"a": "1.5"})");
  vc_fail("$a: String", R"({"a": 1})");
  vc_fail("$a: Boolean", R"({"a": 1})");
  vc_fail("$a: ID", R"({"a": 1.5})");
  vc_fail("$a: ID", R"({"a": true})");
  vc_fail("$a: DogCommand", R"({"a": "NOPE"})");
  vc_fail("$a: DogCommand", R"({"a": 1})");
  EXPECT_EQ(vc_ok("$a: DogCommand", R"({"a": "SIT"})"), R"({"a":"SIT"})");
}

TEST(GraphqlVariables, AppliesNullabilityAndDefaults) {
  EXPECT_EQ(vc_ok("$a: Int", "{}"), "{}");
  EXPECT_EQ(vc_ok("$a: Int", R"({"a": null})"), R"({"a":null})");
  EXPECT_EQ(vc_ok("$a: Int = 5", "{}"), R"({"a":5})");
  EXPECT_EQ(vc_ok("$a: Int = 5", R"({"a": null})"), R"({"a":null})");
  EXPECT_EQ(vc_ok("$a: Int! = 5", "{}"), R"({"a":5})");
  EXPECT_NE(vc_fail("$a: Int!", "{}").find("was not provided"), std::string::npos);
  EXPECT_NE(vc_fail("$a: Int!", R"({"a": null})").find("must not be null"), std::string::npos);
  EXPECT_EQ(vc_ok("$a: [Float] = [1, 2.5]", "{}"), R"({"a":[1E0,2.5E0]})");
  EXPECT_EQ(vc_ok("$a: FindDogInput = {command: SIT}", "{}"),
            R"({"a":{"command":"SIT","limit":10}})");
}

TEST(GraphqlVariables, CoercesLists) {
  EXPECT_EQ(vc_ok("$a: [Int]", R"({"a": [1, null, 3]})"), R"({"a":[1,null,3]})");
  EXPECT_EQ(vc_ok("$a: [Int]", R"({"a": 4})"), R"({"a":[4]})");
  EXPECT_EQ(vc_ok("$a: [[Int]]", R"({"a": [[1], [2, 3]]})"), R"({"a":[[1],[2,3]]})");
  EXPECT_EQ(vc_ok("$a: [[Int]]", R"({"a": 1})"), R"({"a":[[1]]})");
  EXPECT_NE(vc_fail("$a: [Int!]", R"({"a": [1, null]})").find("at \"[1]\""), std::string::npos);
  vc_fail("$a: [Int]", R"({"a": [1, "x"]})");

  Limits limits;
  limits.max_list_items = 2;
  VcResult result = vc_coerce("$a: [Int]", R"({"a": [1, 2, 3]})", limits);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_NE(result.errors[0].message.find("more than 2 items"), std::string::npos);
}

TEST(GraphqlVariables, CoercesInputObjects) {
  EXPECT_EQ(vc_ok("$a: FindDogInput", R"({"a": {"command": "HEEL", "name": "Rex"}})"),
            R"({"a":{"name":"Rex","command":"HEEL","limit":10}})");
  EXPECT_EQ(vc_ok("$a: FindDogInput", R"({"a": {"command": "SIT", "owner": null, "limit": 2}})"),
            R"({"a":{"owner":null,"command":"SIT","limit":2}})");
  EXPECT_NE(vc_fail("$a: FindDogInput", R"({"a": {"name": "Rex"}})")
                .find("\"command\" of required type \"DogCommand!\" was not provided"),
            std::string::npos);
  EXPECT_NE(vc_fail("$a: FindDogInput", R"({"a": {"command": "SIT", "color": "red"}})")
                .find("\"color\" is not defined"),
            std::string::npos);
  EXPECT_NE(vc_fail("$a: FindDogInput", R"({"a": {"command": "SIT", "limit": null}})")
                .find("at \"limit\""),
            std::string::npos);
  vc_fail("$a: FindDogInput", R"({"a": "SIT"})");
  vc_fail("$a: FindDogInput", R"({"a": [{"command": "SIT"}, 1]})");
}

TEST(GraphqlVariables, ReportsEveryFailingVariableAtItsDefinition) {
  VcResult result = vc_coerce("$a: Int, $b: String!", R"({"a": "x"})");
  ASSERT_EQ(result.errors.size(), 2u);
  EXPECT_EQ(result.errors[0].offsets, std::vector<std::uint32_t>{7});
  EXPECT_NE(result.errors[1].message.find("$b"), std::string::npos);
}

TEST(GraphqlVariables, BoundsNesting) {
  Limits limits;
  limits.max_nesting = 3;
  // A recursive input type nests as deep as the value does; the limit stops it.
  EXPECT_EQ(vc_coerce("$a: DogFilter", R"({"a": {"and": [{"name": "x"}]}})", limits).errors.size(),
            0u);
  VcResult result =
      vc_coerce("$a: DogFilter", R"({"a": {"and": [{"and": [{"and": [{}]}]}]}})", limits);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_NE(result.errors[0].message.find("nests deeper"), std::string::npos);
}

}  // namespace
}  // namespace basalt::graphql
