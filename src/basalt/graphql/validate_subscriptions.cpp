// Single root field (5.2.3.1): a subscription's selection set, with fragments collected as
// CollectFields does without variables, has exactly one response name, and that field is not
// an introspection field. A @skip or @include whose `if` is a variable counts as included.
// Runs after check_operation_limits, so the fragments it expands are bounded.
#include <fmt/format.h>

#include <vector>

#include "basalt/graphql/validation_context.hpp"

namespace basalt::graphql::validation {

namespace {

bool excluded(std::span<const Directive> directives) {
  for (const Directive& directive : directives) {
    bool skip = directive.name == "skip";
    if (!skip && directive.name != "include") continue;
    for (const Argument& argument : directive.arguments) {
      if (argument.name != "if" || argument.value.kind != Value::Kind::kBoolean) continue;
      if (argument.value.boolean == skip) return true;
    }
  }
  return false;
}

void collect(const Context& context, std::span<const Selection> selections,
             std::vector<bool>& visited, std::vector<const Selection*>& fields) {
  for (const Selection& selection : selections) {
    if (excluded(selection.directives)) continue;
    switch (selection.kind) {
      case Selection::Kind::kField: {
        bool seen = false;
        for (const Selection* field : fields) {
          if (field->response_name() == selection.response_name()) seen = true;
        }
        if (!seen) fields.push_back(&selection);
        break;
      }
      case Selection::Kind::kInlineFragment:
        collect(context, selection.selections, visited, fields);
        break;
      case Selection::Kind::kFragmentSpread: {
        int number = context.fragment_number(selection.name);
        if (number < 0 || visited[number]) break;
        visited[number] = true;
        collect(context, context.document.fragments[number].selections, visited, fields);
        break;
      }
    }
  }
}

}  // namespace

void check_subscriptions(Context& context) {
  for (const OperationDefinition& operation : context.document.operations) {
    if (operation.type != OperationType::kSubscription) continue;
    std::vector<bool> visited(context.document.fragments.size(), false);
    std::vector<const Selection*> fields;
    collect(context, operation.selections, visited, fields);
    std::string label = operation.name.empty() ? std::string("Anonymous Subscription")
                                               : fmt::format("Subscription \"{}\"", operation.name);
    if (fields.size() > 1) {
      std::vector<std::uint32_t> offsets;
      for (std::size_t i = 1; i < fields.size(); ++i) offsets.push_back(fields[i]->offset);
      context.report(label + " must select only one top level field.", std::move(offsets));
    }
    for (const Selection* field : fields) {
      if (field->name.starts_with("__")) {
        context.report(label + " must not select an introspection top level field.",
                       {field->offset});
      }
    }
  }
}

}  // namespace basalt::graphql::validation
