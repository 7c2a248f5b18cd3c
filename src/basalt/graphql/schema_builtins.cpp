// The types and directives every schema starts with: the five built-in scalars, @skip and
// @include, and the introspection types of the October 2021 specification (section 4.5), as
// graphql-js defines them so that its buildClientSchema accepts what we answer.
#include <initializer_list>
#include <utility>

#include "basalt/graphql/schema.hpp"

namespace basalt::graphql {

namespace {

struct FieldSpec {
  const char* name;
  const char* type;
  bool include_deprecated = false;  // has the argument `includeDeprecated: Boolean = false`
};

TypeDef object_type(const char* name, std::initializer_list<FieldSpec> fields) {
  TypeDef type;
  type.name = name;
  type.kind = TypeKind::kObject;
  for (const FieldSpec& spec : fields) {
    FieldDef field{spec.name, TypeRef::parse(spec.type), {}};
    if (spec.include_deprecated) {
      field.arguments.push_back({"includeDeprecated", TypeRef::parse("Boolean"), "false"});
    }
    type.fields.push_back(std::move(field));
  }
  return type;
}

TypeDef enum_type(const char* name, std::initializer_list<const char*> values) {
  TypeDef type;
  type.name = name;
  type.kind = TypeKind::kEnum;
  for (const char* value : values) type.enum_values.emplace_back(value);
  return type;
}

}  // namespace

void Schema::add_builtins() {
  for (const char* scalar : {"Int", "Float", "String", "Boolean", "ID"}) {
    TypeDef type;
    type.name = scalar;
    type.kind = TypeKind::kScalar;
    add_type(std::move(type));
  }
  for (const char* name : {"skip", "include"}) {
    DirectiveDef directive;
    directive.name = name;
    directive.locations = {DirectiveLocation::kField, DirectiveLocation::kFragmentSpread,
                           DirectiveLocation::kInlineFragment};
    directive.arguments.push_back({"if", TypeRef::parse("Boolean!"), std::nullopt});
    add_directive(std::move(directive));
  }
  add_type(object_type("__Schema", {{"description", "String"},
                                    {"types", "[__Type!]!"},
                                    {"queryType", "__Type!"},
                                    {"mutationType", "__Type"},
                                    {"subscriptionType", "__Type"},
                                    {"directives", "[__Directive!]!"}}));
  add_type(object_type("__Type", {{"kind", "__TypeKind!"},
                                  {"name", "String"},
                                  {"description", "String"},
                                  {"specifiedByURL", "String"},
                                  {"fields", "[__Field!]", true},
                                  {"interfaces", "[__Type!]"},
                                  {"possibleTypes", "[__Type!]"},
                                  {"enumValues", "[__EnumValue!]", true},
                                  {"inputFields", "[__InputValue!]", true},
                                  {"ofType", "__Type"}}));
  add_type(object_type("__Field", {{"name", "String!"},
                                   {"description", "String"},
                                   {"args", "[__InputValue!]!", true},
                                   {"type", "__Type!"},
                                   {"isDeprecated", "Boolean!"},
                                   {"deprecationReason", "String"}}));
  add_type(object_type("__InputValue", {{"name", "String!"},
                                        {"description", "String"},
                                        {"type", "__Type!"},
                                        {"defaultValue", "String"},
                                        {"isDeprecated", "Boolean!"},
                                        {"deprecationReason", "String"}}));
  add_type(object_type("__EnumValue", {{"name", "String!"},
                                       {"description", "String"},
                                       {"isDeprecated", "Boolean!"},
                                       {"deprecationReason", "String"}}));
  add_type(object_type("__Directive", {{"name", "String!"},
                                       {"description", "String"},
                                       {"locations", "[__DirectiveLocation!]!"},
                                       {"args", "[__InputValue!]!", true},
                                       {"isRepeatable", "Boolean!"}}));
  add_type(enum_type("__TypeKind", {"SCALAR", "OBJECT", "INTERFACE", "UNION", "ENUM",
                                    "INPUT_OBJECT", "LIST", "NON_NULL"}));
  add_type(enum_type("__DirectiveLocation",
                     {"QUERY", "MUTATION", "SUBSCRIPTION", "FIELD", "FRAGMENT_DEFINITION",
                      "FRAGMENT_SPREAD", "INLINE_FRAGMENT", "VARIABLE_DEFINITION", "SCHEMA",
                      "SCALAR", "OBJECT", "FIELD_DEFINITION", "ARGUMENT_DEFINITION", "INTERFACE",
                      "UNION", "ENUM", "ENUM_VALUE", "INPUT_OBJECT", "INPUT_FIELD_DEFINITION"}));
  typename_field_ = FieldDef{"__typename", TypeRef::parse("String!"), {}};
  schema_field_ = FieldDef{"__schema", TypeRef::parse("__Schema!"), {}};
  type_field_ = FieldDef{"__type", TypeRef::parse("__Type"), {}};
  type_field_.arguments.push_back({"name", TypeRef::parse("String!"), std::nullopt});
}

}  // namespace basalt::graphql
