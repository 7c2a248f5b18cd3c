// The rules checked while walking one definition's selections with the type they apply to
// (section 5.3.1, 5.3.3, 5.4, 5.5.1.2, 5.5.1.3, 5.5.2.1, 5.5.2.3, 5.7, and 5.6 on the values
// met), recording variable usages and spreads for the per-operation rules. Fragment spreads are
// not followed here: each fragment definition is walked once, under its own type condition.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

#include "basalt/graphql/validation_context.hpp"

namespace basalt::graphql::validation {

namespace {

bool valid_int_literal(std::string_view text) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() && value >= INT32_MIN &&
         value <= INT32_MAX;
}

bool valid_float_literal(std::string_view text) {
  std::string copy(text);
  double value = std::strtod(copy.c_str(), nullptr);
  return std::isfinite(value);
}

class SelectionWalker {
 public:
  SelectionWalker(Context& context, DefinitionUses& uses) : context_(context), uses_(uses) {}

  void walk(const TypeDef* type, std::span<const Selection> selections) {
    for (const Selection& selection : selections) {
      switch (selection.kind) {
        case Selection::Kind::kField:
          walk_field(type, selection);
          break;
        case Selection::Kind::kInlineFragment:
          walk_inline_fragment(type, selection);
          break;
        case Selection::Kind::kFragmentSpread:
          walk_spread(type, selection);
          break;
      }
    }
  }

  void directives(std::span<const Directive> directives, DirectiveLocation location) {
    for (std::size_t i = 0; i < directives.size(); ++i) {
      const Directive& directive = directives[i];
      const DirectiveDef* definition = context_.schema.find_directive(directive.name);
      if (definition == nullptr) {
        context_.report(fmt::format("Unknown directive \"@{}\".", directive.name),
                        {directive.offset});
        for (const Argument& argument : directive.arguments) untyped(argument.value);
        continue;
      }
      if (!definition->allowed_at(location)) {
        context_.report(fmt::format("Directive \"@{}\" may not be used on {}.", directive.name,
                                    directive_location_name(location)),
                        {directive.offset});
      }
      if (!definition->repeatable) {
        for (std::size_t j = 0; j < i; ++j) {
          if (directives[j].name == directive.name) {
            context_.report(fmt::format("The directive \"@{}\" can only be used once at this "
                                        "location.",
                                        directive.name),
                            {directives[j].offset, directive.offset});
            break;
          }
        }
      }
      arguments(definition->arguments, directive.arguments, directive.offset,
                fmt::format("Directive \"@{}\"", directive.name));
    }
  }

  // Section 5.6: `value` at a place of type `type` (whose default, if any, is
  // `has_default`); variables are recorded for 5.8.
  void value(const Value& value, TypeView type, bool has_default) {
    if (value.kind == Value::Kind::kVariable) {
      uses_.variables.push_back({value.text, value.offset, type, has_default});
      return;
    }
    if (type.named == nullptr) {
      untyped(value);
      return;
    }
    if (type.non_null()) {
      if (value.kind == Value::Kind::kNull) {
        expected(type, value);
        return;
      }
      type = type.inner();
    }
    if (value.kind == Value::Kind::kNull) return;
    if (type.list()) {
      if (value.kind == Value::Kind::kList) {
        for (const Value& item : value.items) this->value(item, type.inner(), false);
      } else {
        this->value(value, type.inner(), false);  // a single value stands for a list of one
      }
      return;
    }
    const TypeDef& named = *type.named;
    switch (named.kind) {
      case TypeKind::kInputObject:
        input_object(value, named, type);
        return;
      case TypeKind::kEnum:
        if (value.kind != Value::Kind::kEnum || !named.has_enum_value(value.text)) {
          expected(type, value);
        }
        return;
      case TypeKind::kScalar:
        scalar(value, named, type);
        return;
      default:
        untyped(value);  // not an input type: reported where the type was given
        return;
    }
  }

  // Records the variables inside a value whose place has no known type.
  void untyped(const Value& value) {
    switch (value.kind) {
      case Value::Kind::kVariable:
        uses_.variables.push_back({value.text, value.offset, {}, false});
        return;
      case Value::Kind::kList:
        for (const Value& item : value.items) untyped(item);
        return;
      case Value::Kind::kObject:
        for (const ObjectField& field : value.fields) untyped(field.value);
        return;
      default:
        return;
    }
  }

 private:
  void expected(TypeView type, const Value& value) {
    context_.report(fmt::format("Expected value of type \"{}\", found {}.", type.to_string(),
                                print_value(value)),
                    {value.offset});
  }

  void scalar(const Value& value, const TypeDef& named, TypeView type) {
    bool ok = true;
    if (named.name == "Int") {
      ok = value.kind == Value::Kind::kInt && valid_int_literal(value.text);
    } else if (named.name == "Float") {
      ok = (value.kind == Value::Kind::kInt || value.kind == Value::Kind::kFloat) &&
           valid_float_literal(value.text);
    } else if (named.name == "String") {
      ok = value.kind == Value::Kind::kString;
    } else if (named.name == "Boolean") {
      ok = value.kind == Value::Kind::kBoolean;
    } else if (named.name == "ID") {
      ok = value.kind == Value::Kind::kString || value.kind == Value::Kind::kInt;
    } else {
      untyped(value);  // a custom scalar (e.g. JSON) takes any literal
      return;
    }
    if (!ok) expected(type, value);
  }

  void input_object(const Value& value, const TypeDef& named, TypeView type) {
    if (value.kind != Value::Kind::kObject) {
      expected(type, value);
      untyped(value);
      return;
    }
    for (std::size_t i = 0; i < value.fields.size(); ++i) {
      const ObjectField& field = value.fields[i];
      for (std::size_t j = 0; j < i; ++j) {
        if (value.fields[j].name == field.name) {
          context_.report(
              fmt::format("There can be only one input field named \"{}\".", field.name),
              {value.fields[j].offset, field.offset});
          break;
        }
      }
      const InputValueDef* definition = named.find_input_field(field.name);
      if (definition == nullptr) {
        context_.report(
            fmt::format("Field \"{}\" is not defined by type \"{}\".", field.name, named.name),
            {field.offset});
        untyped(field.value);
        continue;
      }
      this->value(field.value, view(definition->type), definition->default_json.has_value());
    }
    for (const InputValueDef& definition : named.input_fields) {
      if (!view(definition.type).non_null() || definition.default_json) continue;
      bool given =
          std::any_of(value.fields.begin(), value.fields.end(),
                      [&](const ObjectField& field) { return field.name == definition.name; });
      if (!given) {
        context_.report(fmt::format("Field \"{}.{}\" of required type \"{}\" was not provided.",
                                    named.name, definition.name, definition.type.to_string()),
                        {value.offset});
      }
    }
  }

  void arguments(const std::vector<InputValueDef>& definitions, std::span<const Argument> given,
                 std::uint32_t owner_offset, const std::string& owner) {
    unique_arguments(given);
    for (const Argument& argument : given) {
      const InputValueDef* definition = nullptr;
      for (const InputValueDef& candidate : definitions) {
        if (candidate.name == argument.name) definition = &candidate;
      }
      if (definition == nullptr) {
        context_.report(fmt::format("Unknown argument \"{}\" on {}.", argument.name, owner),
                        {argument.offset});
        untyped(argument.value);
        continue;
      }
      value(argument.value, view(definition->type), definition->default_json.has_value());
    }
    for (const InputValueDef& definition : definitions) {
      if (!view(definition.type).non_null() || definition.default_json) continue;
      bool given_here = std::any_of(given.begin(), given.end(), [&](const Argument& argument) {
        return argument.name == definition.name;
      });
      if (!given_here) {
        context_.report(fmt::format("{} argument \"{}\" of type \"{}\" is required, but it was "
                                    "not provided.",
                                    owner, definition.name, definition.type.to_string()),
                        {owner_offset});
      }
    }
  }

  // 5.4.2; sorting keeps it n log n for a field with thousands of arguments.
  void unique_arguments(std::span<const Argument> given) {
    if (given.size() < 2) return;
    std::vector<const Argument*> sorted;
    sorted.reserve(given.size());
    for (const Argument& argument : given) sorted.push_back(&argument);
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const Argument* a, const Argument* b) { return a->name < b->name; });
    for (std::size_t i = 1; i < sorted.size(); ++i) {
      if (sorted[i]->name == sorted[i - 1]->name) {
        context_.report(
            fmt::format("There can be only one argument named \"{}\".", sorted[i]->name),
            {sorted[i - 1]->offset, sorted[i]->offset});
      }
    }
  }

  void walk_field(const TypeDef* parent, const Selection& field) {
    directives(field.directives, DirectiveLocation::kField);
    const FieldDef* definition = nullptr;
    if (parent != nullptr) {
      definition = parent->find_field(field.name);
      if (definition == nullptr) definition = context_.schema.meta_field(*parent, field.name);
      if (definition == nullptr) {
        context_.report(
            parent->kind == TypeKind::kUnion
                ? fmt::format("Cannot query field \"{}\" on type \"{}\": a union has no fields "
                              "of its own; select them in an inline fragment.",
                              field.name, parent->name)
                : fmt::format("Cannot query field \"{}\" on type \"{}\".", field.name,
                              parent->name),
            {field.offset});
      }
    }
    if (definition == nullptr) {
      for (const Argument& argument : field.arguments) untyped(argument.value);
      walk(nullptr, field.selections);
      return;
    }
    arguments(definition->arguments, field.arguments, field.offset,
              fmt::format("Field \"{}.{}\"", parent->name, field.name));
    const TypeDef* type = definition->type.named;
    if (type->is_leaf() && !field.selections.empty()) {
      context_.report(fmt::format("Field \"{}\" must not have a selection since type \"{}\" has "
                                  "no subfields.",
                                  field.name, definition->type.to_string()),
                      {field.offset});
    } else if (type->is_composite() && field.selections.empty()) {
      context_.report(fmt::format("Field \"{}\" of type \"{}\" must have a selection of "
                                  "subfields.",
                                  field.name, definition->type.to_string()),
                      {field.offset});
    }
    walk(type->is_composite() ? type : nullptr, field.selections);
  }

  // 5.5.1.2 and 5.5.1.3 for a type condition; the type to walk under, or null.
  const TypeDef* condition(std::string_view name, std::uint32_t offset) {
    const TypeDef* type = context_.schema.find_type(name);
    if (type == nullptr) {
      context_.report(fmt::format("Unknown type \"{}\".", name), {offset});
      return nullptr;
    }
    if (!type->is_composite()) {
      context_.report(fmt::format("Fragment cannot condition on non composite type \"{}\".", name),
                      {offset});
      return nullptr;
    }
    return type;
  }

  void walk_inline_fragment(const TypeDef* parent, const Selection& fragment) {
    directives(fragment.directives, DirectiveLocation::kInlineFragment);
    const TypeDef* type = parent;
    if (!fragment.name.empty()) {
      type = condition(fragment.name, fragment.offset);
      if (type != nullptr && parent != nullptr && !types_overlap(*parent, *type)) {
        context_.report(fmt::format("Fragment cannot be spread here as objects of type \"{}\" "
                                    "can never be of type \"{}\".",
                                    parent->name, type->name),
                        {fragment.offset});
      }
    }
    walk(type, fragment.selections);
  }

  void walk_spread(const TypeDef* parent, const Selection& spread) {
    directives(spread.directives, DirectiveLocation::kFragmentSpread);
    uses_.spreads.push_back(spread.name);
    const FragmentDefinition* fragment = context_.fragment(spread.name);
    if (fragment == nullptr) {
      context_.report(fmt::format("Unknown fragment \"{}\".", spread.name), {spread.offset});
      return;
    }
    const TypeDef* type = context_.schema.find_type(fragment->type_condition);
    if (parent != nullptr && type != nullptr && type->is_composite() &&
        !types_overlap(*parent, *type)) {
      context_.report(fmt::format("Fragment \"{}\" cannot be spread here as objects of type "
                                  "\"{}\" can never be of type \"{}\".",
                                  spread.name, parent->name, type->name),
                      {spread.offset});
    }
  }

 public:
  const TypeDef* fragment_condition(const FragmentDefinition& fragment) {
    return condition(fragment.type_condition, fragment.type_condition_offset);
  }

 private:
  Context& context_;
  DefinitionUses& uses_;
};

DirectiveLocation operation_location(OperationType type) {
  switch (type) {
    case OperationType::kQuery:
      return DirectiveLocation::kQuery;
    case OperationType::kMutation:
      return DirectiveLocation::kMutation;
    case OperationType::kSubscription:
      return DirectiveLocation::kSubscription;
  }
  return DirectiveLocation::kQuery;
}

}  // namespace

void check_definitions(Context& context) {
  const Document& document = context.document;
  context.operation_uses.resize(document.operations.size());
  context.fragment_uses.resize(document.fragments.size());
  for (std::size_t i = 0; i < document.operations.size(); ++i) {
    const OperationDefinition& operation = document.operations[i];
    SelectionWalker walker(context, context.operation_uses[i]);
    for (const VariableDefinition& variable : operation.variables) {
      TypeView type = context.variable_type(variable.type);
      if (variable.default_value != nullptr && type.named != nullptr && type.named->is_input()) {
        walker.value(*variable.default_value, type, false);
      }
      walker.directives(variable.directives, DirectiveLocation::kVariableDefinition);
    }
    walker.directives(operation.directives, operation_location(operation.type));
    const TypeDef* root = context.schema.root(operation.type);
    if (root == nullptr) {
      context.report(fmt::format("The schema has no {} root type, so this operation cannot be "
                                 "run.",
                                 operation_type_name(operation.type)),
                     {operation.offset});
    }
    walker.walk(root, operation.selections);
  }
  for (std::size_t i = 0; i < document.fragments.size(); ++i) {
    const FragmentDefinition& fragment = document.fragments[i];
    SelectionWalker walker(context, context.fragment_uses[i]);
    walker.directives(fragment.directives, DirectiveLocation::kFragmentDefinition);
    walker.walk(walker.fragment_condition(fragment), fragment.selections);
  }
}

}  // namespace basalt::graphql::validation
