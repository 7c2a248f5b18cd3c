// Basalt's verdict on every document (310) equals graphql-js's (testdata/validation_corpus.json,
// made by tests/e2e/graphql_validation_corpus.mjs with graphql 16 against the same example schema),
// except where an entry records a divergence ("basalt" and "why": Basalt follows the
// specification there).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "basalt/core/testing/source_dir.hpp"
#include "basalt/graphql/parser.hpp"
#include "basalt/graphql/testing/introspection_schema.hpp"
#include "basalt/graphql/testing/pet_schema.hpp"
#include "basalt/graphql/validator.hpp"

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

}  // namespace
}  // namespace basalt::graphql
