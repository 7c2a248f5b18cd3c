// The mutation root fields and their input types (docs/graphql.md, "Mutations").
#include "basalt/graphql/mutation_schema.hpp"

#include <string>
#include <utility>
#include <vector>

#include "basalt/graphql/record_fields.hpp"

namespace basalt::graphql {
namespace {

using schema::Collection;
using schema::Field;
using schema::FieldType;

InputValueDef mutation_input(std::string name, const std::string& type) {
  return {std::move(name), TypeRef::parse(type), std::nullopt};
}

FieldDef mutation_field(std::string name, const std::string& type,
                        std::vector<InputValueDef> args) {
  return {std::move(name), TypeRef::parse(type), std::move(args)};
}

// The input type of a field's value, as a REST JSON body holds it; "" when it is not writable.
std::string value_input_type(const Collection& c, const Field& f) {
  if (!is_exposable_name(f.name)) return {};
  if (f.type() == FieldType::kAutodate) return {};
  if (c.is_auth() && f.name == schema::kFieldTokenKey) return {};
  const bool multiple = f.is_multiple();
  switch (f.type()) {
    case FieldType::kPassword:
      return "String";
    case FieldType::kRelation:
    case FieldType::kFile:
    case FieldType::kSelect:
      return multiple ? "[String!]" : "String";
    case FieldType::kGeoPoint:
      return "JSON";
    default:
      break;
  }
  const FieldShape shape = field_shape(f);
  return shape.graphql_type;  // String, Int, Float, Boolean, JSON
}

struct CollectionInputs {
  bool has_inc = false;
};

// `<c>_insert_input`, `<c>_set_input` and, when the collection has numbers, `<c>_inc_input`.
CollectionInputs add_input_types(const Collection& c, Schema& schema) {
  TypeDef insert{.name = c.name + "_insert_input", .kind = TypeKind::kInputObject};
  TypeDef set{.name = c.name + "_set_input", .kind = TypeKind::kInputObject};
  TypeDef inc{.name = c.name + "_inc_input", .kind = TypeKind::kInputObject};
  std::set<std::string> taken;
  for (const Field& f : c.fields) {
    const std::string type = value_input_type(c, f);
    if (type.empty()) continue;
    taken.insert(f.name);
    insert.input_fields.push_back(mutation_input(f.name, type));
    if (f.name == "id") continue;  // an id is given at creation only
    set.input_fields.push_back(mutation_input(f.name, type));
    if (f.type() == FieldType::kNumber) inc.input_fields.push_back(mutation_input(f.name, type));
  }
  if (c.is_auth()) {
    // REST's companions of a password change, unless a field already has the name.
    if (!taken.contains("passwordConfirm")) {
      insert.input_fields.push_back(mutation_input("passwordConfirm", "String"));
      set.input_fields.push_back(mutation_input("passwordConfirm", "String"));
    }
    if (!taken.contains("oldPassword")) {
      set.input_fields.push_back(mutation_input("oldPassword", "String"));
    }
  }
  CollectionInputs out;
  out.has_inc = !inc.input_fields.empty();
  // An input object needs at least one field: a collection of only autodates keeps `id`.
  schema.add_type(std::move(insert));
  if (!set.input_fields.empty()) schema.add_type(std::move(set));
  if (out.has_inc) schema.add_type(std::move(inc));
  return out;
}

}  // namespace

bool has_mutation_fields(const Collection& collection, bool superuser) noexcept {
  if (collection.is_view()) return false;
  return superuser || collection.create_rule || collection.update_rule || collection.delete_rule;
}

void add_mutation_types(const collections::Catalog& catalog,
                        const std::set<const Collection*>& typed, bool superuser,
                        GeneratedSchema& out) {
  Schema& schema = out.schema;
  TypeDef mutation{.name = "Mutation", .kind = TypeKind::kObject};
  for (const Collection& c : catalog.all()) {
    if (!typed.contains(&c) || !has_mutation_fields(c, superuser)) continue;
    const bool create = superuser || c.create_rule.has_value();
    const bool update = superuser || c.update_rule.has_value();
    const bool remove = superuser || c.delete_rule.has_value();
    const CollectionInputs inputs = add_input_types(c, schema);
    const bool has_set = schema.find_type(c.name + "_set_input") != nullptr;
    TypeDef response{.name = c.name + "_mutation_response", .kind = TypeKind::kObject};
    response.fields = {mutation_field("affected_rows", "Int!", {}),
                       mutation_field("returning", "[" + c.name + "!]!", {})};
    schema.add_type(std::move(response));
    const std::string response_type = c.name + "_mutation_response";
    auto bind = [&](std::string name, const std::string& type, std::vector<InputValueDef> args,
                    MutationKind kind) {
      out.mutations[name] = {&c, kind};
      mutation.fields.push_back(mutation_field(std::move(name), type, std::move(args)));
    };
    if (create) {
      bind("insert_" + c.name, response_type,
           {mutation_input("objects", "[" + c.name + "_insert_input!]!")}, MutationKind::kInsert);
      bind("insert_" + c.name + "_one", c.name,
           {mutation_input("object", c.name + "_insert_input!")}, MutationKind::kInsertOne);
    }
    if (update && has_set) {
      std::vector<InputValueDef> changes{mutation_input("_set", c.name + "_set_input")};
      if (inputs.has_inc) changes.push_back(mutation_input("_inc", c.name + "_inc_input"));
      std::vector<InputValueDef> by_where{mutation_input("where", c.name + "_bool_exp!")};
      by_where.insert(by_where.end(), changes.begin(), changes.end());
      std::vector<InputValueDef> by_pk{mutation_input("id", "String!")};
      by_pk.insert(by_pk.end(), changes.begin(), changes.end());
      bind("update_" + c.name, response_type, std::move(by_where), MutationKind::kUpdate);
      bind("update_" + c.name + "_by_pk", c.name, std::move(by_pk), MutationKind::kUpdateByPk);
    }
    if (remove) {
      bind("delete_" + c.name, response_type, {mutation_input("where", c.name + "_bool_exp!")},
           MutationKind::kDelete);
      bind("delete_" + c.name + "_by_pk", c.name, {mutation_input("id", "String!")},
           MutationKind::kDeleteByPk);
    }
  }
  if (mutation.fields.empty()) return;
  schema.add_type(std::move(mutation));
  schema.set_root(OperationType::kMutation, "Mutation");
}

}  // namespace basalt::graphql
