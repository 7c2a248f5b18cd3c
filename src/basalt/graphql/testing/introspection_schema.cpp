#include "basalt/graphql/testing/introspection_schema.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>

namespace basalt::graphql::testing {

namespace {

namespace json = boost::json;

std::string text_of(const json::value& value) {
  return std::string(value.as_string());
}

// {kind, name, ofType} → TypeRef.
TypeRef type_ref(const json::object& type) {
  TypeRef ref;
  const json::object* at = &type;
  while (true) {
    std::string kind = text_of(at->at("kind"));
    if (kind == "NON_NULL") {
      ref.wrappers.push_back('N');
    } else if (kind == "LIST") {
      ref.wrappers.push_back('L');
    } else {
      ref.name = text_of(at->at("name"));
      return ref;
    }
    at = &at->at("ofType").as_object();
  }
}

std::optional<std::string> default_json(const json::object& input) {
  const json::value* literal = input.if_contains("defaultValue");
  if (literal == nullptr || literal->is_null()) return std::nullopt;
  std::string text = text_of(*literal);
  boost::system::error_code failed;
  json::parse(text, failed);
  if (!failed) return text;
  return json::serialize(json::value(text));
}

std::vector<InputValueDef> inputs(const json::value& list) {
  std::vector<InputValueDef> out;
  if (list.is_null()) return out;
  for (const json::value& item : list.as_array()) {
    const json::object& input = item.as_object();
    out.push_back(
        {text_of(input.at("name")), type_ref(input.at("type").as_object()), default_json(input)});
  }
  return out;
}

std::optional<DirectiveLocation> executable_location(const std::string& name) {
  static const std::pair<const char*, DirectiveLocation> kLocations[] = {
      {"QUERY", DirectiveLocation::kQuery},
      {"MUTATION", DirectiveLocation::kMutation},
      {"SUBSCRIPTION", DirectiveLocation::kSubscription},
      {"FIELD", DirectiveLocation::kField},
      {"FRAGMENT_DEFINITION", DirectiveLocation::kFragmentDefinition},
      {"FRAGMENT_SPREAD", DirectiveLocation::kFragmentSpread},
      {"INLINE_FRAGMENT", DirectiveLocation::kInlineFragment},
      {"VARIABLE_DEFINITION", DirectiveLocation::kVariableDefinition}};
  for (const auto& [text, location] : kLocations) {
    if (name == text) return location;
  }
  return std::nullopt;
}

}  // namespace

std::unique_ptr<Schema> schema_from_introspection(const json::object& schema_json) {
  auto schema = std::make_unique<Schema>();
  for (const json::value& item : schema_json.at("types").as_array()) {
    const json::object& type_json = item.as_object();
    std::string name = text_of(type_json.at("name"));
    if (schema->find_type(name) != nullptr) continue;  // a built-in or introspection type
    std::string kind = text_of(type_json.at("kind"));
    TypeDef type;
    type.name = name;
    if (kind == "SCALAR") {
      type.kind = TypeKind::kScalar;
    } else if (kind == "OBJECT" || kind == "INTERFACE") {
      type.kind = kind == "OBJECT" ? TypeKind::kObject : TypeKind::kInterface;
      for (const json::value& field : type_json.at("fields").as_array()) {
        const json::object& field_json = field.as_object();
        type.fields.push_back({text_of(field_json.at("name")),
                               type_ref(field_json.at("type").as_object()),
                               inputs(field_json.at("args"))});
      }
      for (const json::value& interface : type_json.at("interfaces").as_array()) {
        type.interfaces.push_back(text_of(interface.as_object().at("name")));
      }
    } else if (kind == "UNION") {
      type.kind = TypeKind::kUnion;
      for (const json::value& member : type_json.at("possibleTypes").as_array()) {
        type.members.push_back(text_of(member.as_object().at("name")));
      }
    } else if (kind == "ENUM") {
      type.kind = TypeKind::kEnum;
      for (const json::value& value : type_json.at("enumValues").as_array()) {
        type.enum_values.push_back(text_of(value.as_object().at("name")));
      }
    } else {
      type.kind = TypeKind::kInputObject;
      type.input_fields = inputs(type_json.at("inputFields"));
    }
    schema->add_type(std::move(type));
  }
  for (const json::value& item : schema_json.at("directives").as_array()) {
    const json::object& directive_json = item.as_object();
    std::string name = text_of(directive_json.at("name"));
    if (schema->find_directive(name) != nullptr) continue;
    DirectiveDef directive;
    directive.name = name;
    for (const json::value& location : directive_json.at("locations").as_array()) {
      if (auto executable = executable_location(text_of(location))) {
        directive.locations.push_back(*executable);
      }
    }
    directive.arguments = inputs(directive_json.at("args"));
    if (const json::value* repeatable = directive_json.if_contains("isRepeatable")) {
      directive.repeatable = repeatable->as_bool();
    }
    schema->add_directive(std::move(directive));
  }
  auto root = [&](const char* key, OperationType operation) {
    const json::value* type = schema_json.if_contains(key);
    if (type != nullptr && !type->is_null()) {
      schema->set_root(operation, text_of(type->as_object().at("name")));
    }
  };
  root("queryType", OperationType::kQuery);
  root("mutationType", OperationType::kMutation);
  root("subscriptionType", OperationType::kSubscription);
  schema->finish();
  return schema;
}

}  // namespace basalt::graphql::testing
