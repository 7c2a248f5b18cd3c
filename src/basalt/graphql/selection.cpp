#include "basalt/graphql/selection.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <string>

namespace basalt::graphql {

namespace json = boost::json;

ExecutionScope::ExecutionScope(const Schema& schema, const Document& document,
                               const json::object& variables)
    : schema_(schema), document_(document), variables_(variables) {
  for (const FragmentDefinition& fragment : document.fragments) {
    fragments_.emplace(fragment.name, &fragment);
  }
}

bool ExecutionScope::included(std::span<const Directive> directives) const {
  for (const Directive& directive : directives) {
    const bool skip = directive.name == "skip";
    if (!skip && directive.name != "include") continue;
    for (const Argument& argument : directive.arguments) {
      if (argument.name != "if") continue;
      bool value = false;
      if (argument.value.kind == Value::Kind::kVariable) {
        const json::value* given = variables_.if_contains(argument.value.text);
        value = given != nullptr && given->is_bool() && given->get_bool();
      } else {
        value = argument.value.boolean;
      }
      if (skip == value) return false;
    }
  }
  return true;
}

void ExecutionScope::collect_into(const TypeDef& object_type, std::span<const Selection> selections,
                                  std::vector<FieldGroup>& out,
                                  std::unordered_map<std::string_view, std::size_t>& index,
                                  std::vector<std::string_view>& visited) const {
  for (const Selection& selection : selections) {
    if (!included(selection.directives)) continue;
    switch (selection.kind) {
      case Selection::Kind::kField: {
        const std::string_view key = selection.response_name();
        auto found = index.find(key);
        if (found == index.end()) {
          FieldGroup group;
          group.response_name = key;
          group.field_name = selection.name;
          group.definition = object_type.find_field(selection.name);
          if (group.definition == nullptr) {
            group.definition = schema_.meta_field(object_type, selection.name);
          }
          index.emplace(key, out.size());
          out.push_back(std::move(group));
          found = index.find(key);
        }
        out[found->second].fields.push_back(&selection);
        break;
      }
      case Selection::Kind::kFragmentSpread: {
        if (std::find(visited.begin(), visited.end(), selection.name) != visited.end()) break;
        visited.push_back(selection.name);
        auto fragment = fragments_.find(selection.name);
        if (fragment == fragments_.end()) break;
        const TypeDef* condition = schema_.find_type(fragment->second->type_condition);
        if (condition == nullptr || !condition->is_possible(&object_type)) break;
        collect_into(object_type, fragment->second->selections, out, index, visited);
        break;
      }
      case Selection::Kind::kInlineFragment: {
        if (!selection.name.empty()) {
          const TypeDef* condition = schema_.find_type(selection.name);
          if (condition == nullptr || !condition->is_possible(&object_type)) break;
        }
        collect_into(object_type, selection.selections, out, index, visited);
        break;
      }
    }
  }
}

std::vector<FieldGroup> ExecutionScope::collect(const TypeDef& object_type,
                                                std::span<const Selection> selections) const {
  std::vector<FieldGroup> out;
  std::unordered_map<std::string_view, std::size_t> index;
  std::vector<std::string_view> visited;
  collect_into(object_type, selections, out, index, visited);
  return out;
}

std::vector<FieldGroup> ExecutionScope::collect_sub(const TypeDef& object_type,
                                                    const FieldGroup& group) const {
  std::vector<FieldGroup> out;
  std::unordered_map<std::string_view, std::size_t> index;
  std::vector<std::string_view> visited;
  for (const Selection* field : group.fields) {
    collect_into(object_type, field->selections, out, index, visited);
  }
  return out;
}

json::value ExecutionScope::literal(const Value& value, TypeView type, bool& present) const {
  present = true;
  if (value.kind == Value::Kind::kVariable) {
    const json::value* given = variables_.if_contains(value.text);
    if (given == nullptr) {
      present = false;
      return nullptr;
    }
    return *given;
  }
  if (value.kind == Value::Kind::kNull) return nullptr;
  const TypeView nullable = type.nullable();
  if (nullable.list()) {
    json::array items;
    if (value.kind != Value::Kind::kList) {
      bool item_present = false;
      items.push_back(literal(value, nullable.inner(), item_present));
      return items;
    }
    for (const Value& item : value.items) {
      bool item_present = false;
      json::value coerced = literal(item, nullable.inner(), item_present);
      items.push_back(item_present ? std::move(coerced) : json::value(nullptr));
    }
    return items;
  }
  const TypeDef* named = nullable.named;
  switch (value.kind) {
    case Value::Kind::kInt:
    case Value::Kind::kFloat: {
      const std::string text(value.text);
      if (value.kind == Value::Kind::kInt && named != nullptr && named->name != "Float") {
        std::int64_t number = 0;
        std::from_chars(text.data(), text.data() + text.size(), number);
        if (named->name == "String" || named->name == "ID") return json::string(text);
        return number;
      }
      return std::stod(text);
    }
    case Value::Kind::kString:
    case Value::Kind::kEnum:
      return json::string(value.text);
    case Value::Kind::kBoolean:
      return value.boolean;
    case Value::Kind::kList: {
      json::array items;  // a list literal for a custom scalar (JSON) is kept as it is
      for (const Value& item : value.items) {
        bool item_present = false;
        items.push_back(literal(item, {}, item_present));
      }
      return items;
    }
    case Value::Kind::kObject: {
      json::object fields;
      for (const ObjectField& field : value.fields) {
        const InputValueDef* definition =
            named != nullptr ? named->find_input_field(field.name) : nullptr;
        bool field_present = false;
        json::value coerced =
            literal(field.value, definition != nullptr ? view(definition->type) : TypeView{},
                    field_present);
        if (field_present) fields[field.name] = std::move(coerced);
      }
      if (named != nullptr) {
        for (const InputValueDef& definition : named->input_fields) {
          if (!fields.contains(definition.name) && definition.default_json) {
            fields[definition.name] = json::parse(*definition.default_json);
          }
        }
      }
      return fields;
    }
    default:
      return nullptr;
  }
}

json::object ExecutionScope::arguments(const FieldGroup& group) const {
  json::object out;
  if (group.definition == nullptr || group.fields.empty()) return out;
  const Selection& field = *group.fields.front();
  for (const InputValueDef& definition : group.definition->arguments) {
    const Argument* given = nullptr;
    for (const Argument& argument : field.arguments) {
      if (argument.name == definition.name) given = &argument;
    }
    bool present = false;
    json::value value;
    if (given != nullptr) value = literal(given->value, view(definition.type), present);
    if (!present && definition.default_json) {
      value = json::parse(*definition.default_json);
      present = true;
    }
    if (view(definition.type).non_null() && (!present || value.is_null())) {
      throw std::invalid_argument("Argument \"" + definition.name + "\" of required type \"" +
                                  definition.type.to_string() + "\" was not provided.");
    }
    if (present) out[definition.name] = std::move(value);
  }
  return out;
}

}  // namespace basalt::graphql
