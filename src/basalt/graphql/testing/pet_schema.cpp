#include "basalt/graphql/testing/pet_schema.hpp"

#include <initializer_list>
#include <optional>
#include <string>
#include <utility>

namespace basalt::graphql::testing {

namespace {

struct ArgSpec {
  const char* name;
  const char* type;
  std::optional<std::string> default_json = std::nullopt;
};

struct FieldSpec {
  const char* name;
  const char* type;
  std::initializer_list<ArgSpec> arguments = {};
};

std::vector<InputValueDef> inputs(std::initializer_list<ArgSpec> specs) {
  std::vector<InputValueDef> out;
  for (const ArgSpec& spec : specs) {
    out.push_back({spec.name, TypeRef::parse(spec.type), spec.default_json});
  }
  return out;
}

TypeDef composite(TypeKind kind, const char* name, std::initializer_list<FieldSpec> fields,
                  std::initializer_list<const char*> interfaces = {}) {
  TypeDef type;
  type.name = name;
  type.kind = kind;
  for (const FieldSpec& spec : fields) {
    type.fields.push_back({spec.name, TypeRef::parse(spec.type), inputs(spec.arguments)});
  }
  for (const char* interface : interfaces) type.interfaces.emplace_back(interface);
  return type;
}

TypeDef union_of(const char* name, std::initializer_list<const char*> members) {
  TypeDef type;
  type.name = name;
  type.kind = TypeKind::kUnion;
  for (const char* member : members) type.members.emplace_back(member);
  return type;
}

TypeDef enum_of(const char* name, std::initializer_list<const char*> values) {
  TypeDef type;
  type.name = name;
  type.kind = TypeKind::kEnum;
  for (const char* value : values) type.enum_values.emplace_back(value);
  return type;
}

TypeDef input_of(const char* name, std::initializer_list<ArgSpec> fields) {
  TypeDef type;
  type.name = name;
  type.kind = TypeKind::kInputObject;
  type.input_fields = inputs(fields);
  return type;
}

}  // namespace

std::unique_ptr<Schema> make_pet_schema() {
  auto schema = std::make_unique<Schema>();
  schema->add_type(
      composite(TypeKind::kObject, "Query",
                {{"dog", "Dog"},
                 {"human", "Human"},
                 {"pet", "Pet"},
                 {"catOrDog", "CatOrDog"},
                 {"dogOrHuman", "DogOrHuman"},
                 {"humanOrAlien", "HumanOrAlien"},
                 {"sentient", "Sentient"},
                 {"arguments", "Arguments"},
                 {"findDog", "Dog", {{"complex", "ComplexInput"}, {"searchBy", "FindDogInput"}}},
                 {"booleanList", "[Boolean]", {{"booleanListArg", "[Boolean!]"}}},
                 {"json", "JSON", {{"value", "JSON"}}},
                 {"filterDogs", "[Dog!]!", {{"where", "DogFilter"}}}}));
  schema->add_type(composite(TypeKind::kObject, "Mutation",
                             {{"addDog", "Dog", {{"name", "String!"}, {"tags", "[String!]"}}}}));
  schema->add_type(
      composite(TypeKind::kObject, "Subscription",
                {{"newMessage", "Message"}, {"disallowedSecondRootField", "Boolean"}}));
  schema->add_type(
      composite(TypeKind::kObject, "Message", {{"body", "String"}, {"sender", "String"}}));
  schema->add_type(enum_of("DogCommand", {"SIT", "DOWN", "HEEL"}));
  schema->add_type(enum_of("CatCommand", {"JUMP"}));
  schema->add_type(composite(TypeKind::kInterface, "Sentient", {{"name", "String!"}}));
  schema->add_type(composite(TypeKind::kInterface, "Pet", {{"name", "String!"}}));
  schema->add_type(composite(TypeKind::kObject, "Dog",
                             {{"name", "String!"},
                              {"nickname", "String"},
                              {"barkVolume", "Int"},
                              {"doesKnowCommand", "Boolean!", {{"dogCommand", "DogCommand!"}}},
                              {"isHouseTrained", "Boolean!", {{"atOtherHomes", "Boolean"}}},
                              {"owner", "Human"}},
                             {"Pet"}));
  schema->add_type(composite(TypeKind::kObject, "Alien",
                             {{"name", "String!"}, {"homePlanet", "String"}}, {"Sentient"}));
  schema->add_type(composite(TypeKind::kObject, "Human",
                             {{"name", "String!"}, {"pets", "[Pet!]"}, {"iq", "Int"}},
                             {"Sentient"}));
  schema->add_type(composite(TypeKind::kObject, "Cat",
                             {{"name", "String!"},
                              {"nickname", "String"},
                              {"doesKnowCommand", "Boolean!", {{"catCommand", "CatCommand!"}}},
                              {"meowVolume", "Int"},
                              {"owner", "Human"}},
                             {"Pet"}));
  schema->add_type(union_of("CatOrDog", {"Cat", "Dog"}));
  schema->add_type(union_of("DogOrHuman", {"Dog", "Human"}));
  schema->add_type(union_of("HumanOrAlien", {"Human", "Alien"}));
  schema->add_type(input_of("ComplexInput", {{"name", "String"}, {"owner", "String"}}));
  schema->add_type(input_of("FindDogInput", {{"name", "String"},
                                             {"owner", "String"},
                                             {"command", "DogCommand!"},
                                             {"limit", "Int!", "10"}}));
  schema->add_type(input_of("DogFilter", {{"name", "String"}, {"and", "[DogFilter!]"}}));
  schema->add_type(
      composite(TypeKind::kObject, "Arguments",
                {{"multipleRequirements", "Int!", {{"x", "Int!"}, {"y", "Int!"}}},
                 {"booleanArgField", "Boolean", {{"booleanArg", "Boolean"}}},
                 {"floatArgField", "Float", {{"floatArg", "Float"}}},
                 {"intArgField", "Int", {{"intArg", "Int"}}},
                 {"idArgField", "ID", {{"idArg", "ID"}}},
                 {"nonNullBooleanArgField", "Boolean!", {{"nonNullBooleanArg", "Boolean!"}}},
                 {"booleanListArgField", "[Boolean]", {{"booleanListArg", "[Boolean]!"}}},
                 {"optionalNonNullBooleanArgField",
                  "Boolean!",
                  {{"optionalBooleanArg", "Boolean!", "false"}}},
                 {"nonNullListArgField", "[Boolean!]", {{"nonNullListArg", "[Boolean!]!"}}}}));
  TypeDef json;
  json.name = "JSON";
  json.kind = TypeKind::kScalar;
  schema->add_type(std::move(json));
  schema->set_root(OperationType::kQuery, "Query");
  schema->set_root(OperationType::kMutation, "Mutation");
  schema->set_root(OperationType::kSubscription, "Subscription");
  schema->finish();
  return schema;
}

}  // namespace basalt::graphql::testing
