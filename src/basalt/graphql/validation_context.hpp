// The state the validation rules share while one document is validated (validator.cpp is the
// driver; each rule group is a file of its own). Internal to the graphql module.
//
// Thread safety: one context per validate() call, used by that call's thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "basalt/graphql/ast.hpp"
#include "basalt/graphql/error.hpp"
#include "basalt/graphql/limits.hpp"
#include "basalt/graphql/schema.hpp"

namespace basalt::graphql::validation {

// A variable used somewhere in a definition: where, and the type the place expects (named is
// null when the place has no known type, e.g. an unknown argument).
struct VariableUsage {
  std::string_view name;
  std::uint32_t offset = 0;
  TypeView location;
  bool location_has_default = false;
};

// What one operation or fragment uses directly (not through its spreads).
struct DefinitionUses {
  std::vector<VariableUsage> variables;
  std::vector<std::string_view> spreads;  // fragment names, in document order
};

// Thrown to stop validation early (the error cap, or a budget); the errors so far stand.
struct StopValidation {};

struct Context {
  Context(const Document& d, const Schema& s, const Limits& l)
      : document(d), schema(s), limits(l) {}

  void report(std::string message, std::vector<std::uint32_t> offsets,
              ErrorCode code = ErrorCode::kValidationFailed) {
    errors.push_back(Error{code, std::move(message), std::move(offsets)});
    if (errors.size() >= limits.max_errors) throw StopValidation{};
  }

  // The first fragment of that name; null when none is defined.
  const FragmentDefinition* fragment(std::string_view name) const {
    auto found = fragment_index.find(name);
    return found == fragment_index.end() ? nullptr : found->second.definition;
  }
  // Index of the first fragment of that name in document.fragments; -1 when none.
  int fragment_number(std::string_view name) const {
    auto found = fragment_index.find(name);
    return found == fragment_index.end() ? -1 : found->second.number;
  }

  // The type of a variable definition as a TypeView (its wrappers kept in `type_storage`); named
  // is null when the named type is unknown.
  TypeView variable_type(const TypeNode* type);

  struct FragmentEntry {
    const FragmentDefinition* definition;
    int number;
  };

  const Document& document;
  const Schema& schema;
  const Limits& limits;
  std::vector<Error> errors;
  std::unordered_map<std::string_view, FragmentEntry> fragment_index;
  std::vector<DefinitionUses> operation_uses;  // by operation number
  std::vector<DefinitionUses> fragment_uses;   // by fragment number
  bool has_fragment_cycle = false;
  std::deque<std::string> type_storage;
};

// Rule groups, each in a file of its own.

// 5.1–5.5 and 5.7 on one definition's selections and directives, 5.6 on its values; records the
// definition's variable usages and spreads.
void check_definitions(Context& context);
// 5.2.1, 5.2.2, 5.5.1.1, 5.5.1.4, 5.5.2.2.
void check_document_rules(Context& context);
// 5.8 for each operation.
void check_variables(Context& context);
// The Limits that need fragments expanded; false when one was exceeded (errors reported).
bool check_operation_limits(Context& context);
// 5.2.3.1.
void check_subscriptions(Context& context);
// 5.3.2 (with Limits::max_merge_comparisons).
void check_field_merging(Context& context);

// Helpers shared by the rule files.
std::string print_value(const Value& value);
bool same_value(const Value& a, const Value& b);
bool types_overlap(const TypeDef& a, const TypeDef& b);

}  // namespace basalt::graphql::validation
