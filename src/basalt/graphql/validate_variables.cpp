// The variable rules of section 5.8, per operation, over the usages of the operation and of every
// fragment it reaches: uniqueness (5.8.1), input types (5.8.2), all uses defined (5.8.3), all
// variables used (5.8.4), all usages allowed (5.8.5, IsVariableUsageAllowed).
#include <fmt/format.h>

#include <unordered_map>
#include <vector>

#include "basalt/graphql/validation_context.hpp"

namespace basalt::graphql::validation {

namespace {

// AreTypesCompatible(variableType, locationType).
bool types_compatible(TypeView variable, TypeView location) {
  while (true) {
    if (location.non_null()) {
      if (!variable.non_null()) return false;
      variable = variable.inner();
      location = location.inner();
      continue;
    }
    if (variable.non_null()) {
      variable = variable.inner();
      continue;
    }
    if (location.list()) {
      if (!variable.list()) return false;
      variable = variable.inner();
      location = location.inner();
      continue;
    }
    if (variable.list()) return false;
    return variable.named == location.named;
  }
}

struct DefinedVariable {
  const VariableDefinition* definition;
  TypeView type;
  bool used = false;
};

std::string operation_label(const OperationDefinition& operation) {
  return operation.name.empty() ? std::string("the anonymous operation")
                                : fmt::format("operation \"{}\"", operation.name);
}

void check_operation(Context& context, std::size_t number) {
  const OperationDefinition& operation = context.document.operations[number];
  std::unordered_map<std::string_view, DefinedVariable> defined;
  for (const VariableDefinition& variable : operation.variables) {
    TypeView type = context.variable_type(variable.type);
    auto [at, inserted] = defined.emplace(variable.name, DefinedVariable{&variable, type});
    if (!inserted) {
      context.report(fmt::format("There can be only one variable named \"${}\".", variable.name),
                     {at->second.definition->offset, variable.offset});
      continue;
    }
    const TypeNode* named = variable.type;
    while (named->kind != TypeNode::Kind::kNamed) named = named->of_type;
    if (type.named == nullptr) {
      context.report(fmt::format("Unknown type \"{}\".", named->name), {named->offset});
    } else if (!type.named->is_input()) {
      context.report(fmt::format("Variable \"${}\" cannot be non-input type \"{}\".", variable.name,
                                 type.to_string()),
                     {variable.type->offset});
    }
  }
  // The usages of the operation and of each fragment it reaches, each fragment once.
  std::vector<const DefinitionUses*> scopes{&context.operation_uses[number]};
  std::vector<bool> reached(context.document.fragments.size(), false);
  for (std::size_t i = 0; i < scopes.size(); ++i) {
    for (std::string_view name : scopes[i]->spreads) {
      int fragment = context.fragment_number(name);
      if (fragment < 0 || reached[fragment]) continue;
      reached[fragment] = true;
      scopes.push_back(&context.fragment_uses[fragment]);
    }
  }
  for (const DefinitionUses* scope : scopes) {
    for (const VariableUsage& usage : scope->variables) {
      auto found = defined.find(usage.name);
      if (found == defined.end()) {
        context.report(fmt::format("Variable \"${}\" is not defined by {}.", usage.name,
                                   operation_label(operation)),
                       {usage.offset, operation.offset});
        continue;
      }
      DefinedVariable& variable = found->second;
      variable.used = true;
      if (usage.location.named == nullptr || variable.type.named == nullptr) continue;
      // IsVariableUsageAllowed: a nullable variable may fill a non-null place when it or the
      // place has a default value.
      TypeView location = usage.location;
      if (location.non_null() && !variable.type.non_null()) {
        const Value* default_value = variable.definition->default_value;
        bool variable_default =
            default_value != nullptr && default_value->kind != Value::Kind::kNull;
        if (!variable_default && !usage.location_has_default) {
          location = TypeView{"N", nullptr};  // never compatible: report below
        } else {
          location = location.inner();
        }
      }
      if (location.named == nullptr || !types_compatible(variable.type, location)) {
        context.report(
            fmt::format("Variable \"${}\" of type \"{}\" used in position expecting "
                        "type \"{}\".",
                        usage.name, variable.type.to_string(), usage.location.to_string()),
            {variable.definition->offset, usage.offset});
      }
    }
  }
  for (const VariableDefinition& variable : operation.variables) {
    auto found = defined.find(variable.name);
    if (found != defined.end() && found->second.definition == &variable && !found->second.used) {
      context.report(fmt::format("Variable \"${}\" is never used in {}.", variable.name,
                                 operation_label(operation)),
                     {variable.offset});
    }
  }
}

}  // namespace

void check_variables(Context& context) {
  for (std::size_t i = 0; i < context.document.operations.size(); ++i) check_operation(context, i);
}

}  // namespace basalt::graphql::validation
