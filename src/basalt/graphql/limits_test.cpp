// The Limits that need fragments expanded (validator.cpp runs them before any rule) and the
// field-merging budget: alias bombs, fragment fan-out, deep fragments.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "basalt/graphql/parser.hpp"
#include "basalt/graphql/testing/pet_schema.hpp"
#include "basalt/graphql/validator.hpp"

namespace basalt::graphql {
namespace {

const Schema& lt_schema() {
  static const std::unique_ptr<Schema> schema = testing::make_pet_schema();
  return *schema;
}

std::vector<Error> lt_validate(const std::string& source, const Limits& limits) {
  Error error;
  std::optional<Document> document = parse_document(source, limits, error);
  if (!document) return {error};
  return validate(*document, lt_schema(), limits);
}

// Limits with room for big documents, so the limit under test is the one crossed.
Limits lt_roomy() {
  Limits limits;
  limits.max_document_bytes = 4 << 20;
  limits.max_tokens = 1 << 20;
  return limits;
}

bool lt_only_limit_errors(const std::vector<Error>& errors) {
  if (errors.empty()) return false;
  for (const Error& error : errors) {
    if (error.code != ErrorCode::kLimitExceeded) return false;
  }
  return true;
}

TEST(GraphqlLimits, CountsFieldsWithFragmentsExpanded) {
  Limits limits = lt_roomy();
  limits.max_fields = 9;
  // 1 + 4 × 2 = 9 fields: at the limit.
  std::string at_limit = "{ dog { ...F ...F ...F ...F } } fragment F on Dog { name nickname }";
  EXPECT_TRUE(lt_validate(at_limit, limits).empty());
  limits.max_fields = 8;
  std::vector<Error> errors = lt_validate(at_limit, limits);
  ASSERT_TRUE(lt_only_limit_errors(errors));
  EXPECT_NE(errors[0].message.find("more than 8 fields"), std::string::npos);
}

TEST(GraphqlLimits, StopsAnExponentialFragmentFanOut) {
  // Each fragment spreads the next one ten times: 10^20 fields if expanded in full.
  std::string source = "{ dog { ...f0 } }";
  for (int i = 0; i < 20; ++i) {
    source += " fragment f" + std::to_string(i) + " on Dog { name";
    for (int j = 0; j < 10 && i < 19; ++j) source += " ...f" + std::to_string(i + 1);
    source += " }";
  }
  auto started = std::chrono::steady_clock::now();
  std::vector<Error> errors = lt_validate(source, lt_roomy());
  EXPECT_TRUE(lt_only_limit_errors(errors));
  (void)started;
}

TEST(GraphqlLimits, CountsFragmentSpreads) {
  Limits limits = lt_roomy();
  limits.max_fragment_spreads = 3;
  EXPECT_TRUE(lt_validate("{ dog { ...F ...F ...F } } fragment F on Dog { name }", limits).empty());
  EXPECT_TRUE(lt_only_limit_errors(
      lt_validate("{ dog { ...F ...F ...F ...F } } fragment F on Dog { name }", limits)));
}

TEST(GraphqlLimits, CountsAliases) {
  Limits limits = lt_roomy();
  limits.max_aliases = 2;
  EXPECT_TRUE(lt_validate("{ dog { a: name b: name } }", limits).empty());
  std::vector<Error> errors = lt_validate("{ dog { a: name b: name c: name } }", limits);
  ASSERT_TRUE(lt_only_limit_errors(errors));
  EXPECT_EQ(errors[0].offsets, std::vector<std::uint32_t>{24});
}

TEST(GraphqlLimits, MeasuresDepthThroughFragments) {
  Limits limits = lt_roomy();
  limits.max_depth = 3;
  EXPECT_TRUE(lt_validate("{ dog { owner { name } } }", limits).empty());
  // Three levels in the operation and two more in the fragment: 4 deep when expanded.
  std::string source = "{ dog { owner { ...P } } } fragment P on Human { pets { name } }";
  std::vector<Error> errors = lt_validate(source, limits);
  ASSERT_TRUE(lt_only_limit_errors(errors));
  EXPECT_NE(errors[0].message.find("deeper than 3"), std::string::npos);
}

TEST(GraphqlLimits, BoundsTheQuadraticMergeRule) {
  // 900 fields with one response name: 400,000 pairs if compared naively; identical
  // fields are compared once, so this costs about 900 steps...
  std::string same = "{ dog {";
  for (int i = 0; i < 900; ++i) same += " name";
  same += " } }";
  Limits limits = lt_roomy();
  limits.max_merge_comparisons = 2'000;
  EXPECT_TRUE(lt_validate(same, limits).empty());
  // ...and so do their children: 300 `owner { name }` under one `dog`.
  std::string nested = "{ dog {";
  for (int i = 0; i < 300; ++i) nested += " owner { name }";
  nested += " } }";
  EXPECT_TRUE(lt_validate(nested, limits).empty());
  // A budget below that is crossed, and the document refused as over a limit.
  limits.max_merge_comparisons = 100;
  std::vector<Error> errors = lt_validate(same, limits);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, ErrorCode::kLimitExceeded);
  // Fields under different parents are compared pairwise: 3 representatives (3 steps to find
  // them) and 3 pairs.
  std::string parents =
      "{ pet { ... on Dog { v: name } ... on Cat { v: name } ... on Pet { v: name } } }";
  limits.max_merge_comparisons = 6;
  EXPECT_TRUE(lt_validate(parents, limits).empty());
  limits.max_merge_comparisons = 5;
  errors = lt_validate(parents, limits);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, ErrorCode::kLimitExceeded);
}

TEST(GraphqlLimits, AnAliasBombIsRefusedBeforeAnyRuleRuns) {
  std::string source = "{ dog {";
  for (int i = 0; i < 5000; ++i) source += " a" + std::to_string(i) + ": name";
  source += " } }";
  std::vector<Error> errors = lt_validate(source, lt_roomy());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, ErrorCode::kLimitExceeded);
}

TEST(GraphqlLimits, EveryOperationIsCounted) {
  Limits limits = lt_roomy();
  limits.max_fields = 2;
  std::vector<Error> errors =
      lt_validate("query A { dog { name } } query B { dog { name nickname } }", limits);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, ErrorCode::kLimitExceeded);
}

}  // namespace
}  // namespace basalt::graphql
