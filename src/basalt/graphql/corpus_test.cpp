// Basalt's verdict on every document (310) equals graphql-js's (testdata/validation_corpus.json,
// made by tests/e2e/graphql_validation_corpus.mjs with graphql 16 against the same example schema),
// except where an entry records a divergence ("basalt" and "why": Basalt follows the
// specification there).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "basalt/core/testing/source_dir.hpp"
#include "basalt/graphql/parser.hpp"
#include "basalt/graphql/testing/introspection_schema.hpp"
#include "basalt/graphql/testing/pet_schema.hpp"
#include "basalt/graphql/validator.hpp"
#include "basalt/graphql/variable_coercion.hpp"

namespace basalt::graphql {
namespace {

std::string corpus_verdict(std::string_view source, const Schema& schema, std::string& message) {
  Limits limits;
  Error error;
  std::optional<Document> document = parse_document(source, limits, error);
  if (!document) {
    message = error.message;
    switch (error.code) {
      case ErrorCode::kParseFailed:
        return "syntax";
      case ErrorCode::kValidationFailed:
        return "invalid";  // a type-system definition: graphql-js refuses it in validation
      case ErrorCode::kLimitExceeded:
        return "limit";
      default:
        return "other";
    }
  }
  std::vector<Error> errors = validate(*document, schema, limits);
  if (errors.empty()) return "valid";
  message = errors[0].message;
  return errors[0].code == ErrorCode::kLimitExceeded ? "limit" : "invalid";
}

// The corpus file's entries, each checked against `schema`; returns how many matched.
void corpus_check(const boost::json::array& entries, const Schema& schema) {
  int matched = 0;
  for (const boost::json::value& entry : entries) {
    const boost::json::object& item = entry.as_object();
    std::string document(item.at("document").as_string());
    // graphql-js's verdict, or Basalt's where the corpus records a divergence and its reason.
    std::string expected(item.contains("basalt") ? item.at("basalt").as_string()
                                                 : item.at("verdict").as_string());
    std::string message;
    std::string verdict = corpus_verdict(document, schema, message);
    if (verdict == expected) {
      ++matched;
      continue;
    }
    std::string reference =
        item.contains("reference") ? std::string(item.at("reference").as_string()) : "";
    ADD_FAILURE() << document << "\n  graphql-js: " << expected << " " << reference
                  << "\n  basalt:     " << verdict << " " << message;
  }
  EXPECT_EQ(matched, static_cast<int>(entries.size()));
}

boost::json::object corpus_file(const char* name) {
  std::ifstream file(core::testing::source_dir() / "src/basalt/graphql/testdata" / name);
  EXPECT_TRUE(file) << "missing " << name;
  std::stringstream text;
  text << file.rdbuf();
  return boost::json::parse(text.str()).as_object();
}

TEST(GraphqlCorpus, VerdictsMatchGraphqlJs) {
  boost::json::object corpus = corpus_file("validation_corpus.json");
  const boost::json::array& entries = corpus.at("entries").as_array();
  ASSERT_GE(entries.size(), 300u);
  std::unique_ptr<Schema> schema = testing::make_pet_schema();
  corpus_check(entries, *schema);
}

TEST(GraphqlCorpus, VerdictsMatchGraphqlJsOnItsOwnValidationTests) {
  boost::json::object corpus = corpus_file("graphql_js_corpus.json");
  const boost::json::array& entries = corpus.at("entries").as_array();
  ASSERT_GE(entries.size(), 250u);
  std::unique_ptr<Schema> schema =
      testing::schema_from_introspection(corpus.at("schema").as_object());
  corpus_check(entries, *schema);
}

// JSON equality where numbers compare by value (graphql-js has one number type; Boost.JSON
// keeps a Float's 2 as a double).
bool corpus_same_json(const boost::json::value& a, const boost::json::value& b) {
  if (a.is_number() && b.is_number()) return a.to_number<double>() == b.to_number<double>();
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    const auto& x = a.get_array();
    const auto& y = b.get_array();
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (!corpus_same_json(x[i], y[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    const auto& x = a.get_object();
    const auto& y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& entry : x) {
      const boost::json::value* other = y.if_contains(entry.key());
      if (other == nullptr || !corpus_same_json(entry.value(), *other)) return false;
    }
    return true;
  }
  return a == b;
}

TEST(GraphqlCorpus, VariableCoercionMatchesGraphqlJs) {
  boost::json::object corpus = corpus_file("coercion_corpus.json");
  const boost::json::array& entries = corpus.at("entries").as_array();
  ASSERT_GE(entries.size(), 50u);
  std::unique_ptr<Schema> schema = testing::make_pet_schema();
  for (const boost::json::value& entry : entries) {
    const boost::json::object& item = entry.as_object();
    std::string document(item.at("document").as_string());
    std::string variables_text(item.at("variables").as_string());
    Error error;
    std::optional<Document> parsed = parse_document(document, Limits{}, error);
    ASSERT_TRUE(parsed) << document << ": " << error.message;
    ASSERT_TRUE(validate(*parsed, *schema, Limits{}).empty()) << document;
    boost::json::object variables = boost::json::parse(variables_text).as_object();
    boost::json::object coerced;
    std::vector<Error> errors =
        coerce_variables(*schema, parsed->operations[0], &variables, Limits{}, coerced);
    std::string where = document + " with " + variables_text;
    if (item.at("outcome").as_string() == "error") {
      EXPECT_FALSE(errors.empty())
          << where << " coerced to " << boost::json::serialize(coerced)
          << "\n  graphql-js: " << std::string(item.at("reference").as_string());
      continue;
    }
    ASSERT_TRUE(errors.empty()) << where << ": " << errors[0].message;
    EXPECT_TRUE(corpus_same_json(coerced, item.at("coerced")))
        << where << "\n  graphql-js: " << boost::json::serialize(item.at("coerced"))
        << "\n  basalt:     " << boost::json::serialize(coerced);
  }
}

}  // namespace
}  // namespace basalt::graphql
