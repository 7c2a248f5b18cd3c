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
    case FieldType::kSelect:
      return multiple ? "[String!]" : "String";
    case FieldType::kFile:
      // A file of the request (multipart, request_uploads.hpp) or a stored file's name.
      return multiple ? "[Upload!]" : "Upload";
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

// Whether the caller class may create records of `c` through this schema (nested ones too).
bool insertable(const Collection& c, const std::set<const Collection*>& typed, bool superuser) {
  return typed.contains(&c) && !c.is_view() && (superuser || c.create_rule.has_value());
}

// "_obj_rel_insert_input" and "_arr_rel_insert_input" have the same length.
constexpr std::size_t kInsertRelSuffixLength = std::string_view("_obj_rel_insert_input").size();

// Whether the caller class may update records of `c` (nested updates too).
bool updatable(const Collection& c, const std::set<const Collection*>& typed, bool superuser) {
  return typed.contains(&c) && !c.is_view() && (superuser || c.update_rule.has_value());
}

// The relation types of `<c>_set_input` (nested_update.hpp): `{id, _set, _inc}` and
// `{ids, _set, _inc}`, `_set` / `_inc` only when the target's records may be updated.
void add_relation_update_types(const Collection& target, bool with_changes, Schema& schema) {
  TypeDef single{.name = target.name + "_obj_rel_update_input", .kind = TypeKind::kInputObject};
  single.input_fields.push_back(mutation_input("id", "String"));
  TypeDef multiple{.name = target.name + "_arr_rel_update_input", .kind = TypeKind::kInputObject};
  multiple.input_fields.push_back(mutation_input("ids", "[String!]"));
  for (const char* part : {"set", "inc"}) {
    const std::string type = target.name + "_" + part + "_input";
    if (!with_changes || schema.find_type(type) == nullptr) continue;
    single.input_fields.push_back(mutation_input(std::string("_") + part, type));
    multiple.input_fields.push_back(mutation_input(std::string("_") + part, type));
  }
  schema.add_type(std::move(single));
  schema.add_type(std::move(multiple));
}

// The input type of a relation field in `<c>_insert_input`: the related record(s) by id, or
// created in the same request (nested insert): `<target>_obj_rel_insert_input { id, data }` for
// a single relation, `<target>_arr_rel_insert_input { ids, data }` for a multiple one. "" when
// the target cannot be named in GraphQL.
std::string relation_insert_type(const Field& f, const collections::Catalog& catalog,
                                 std::set<const Collection*>& wanted) {
  const Collection* target = catalog.find(f.as<schema::RelationOptions>()->collection_id);
  if (target == nullptr || !is_exposable_name(target->name)) return {};
  wanted.insert(target);
  return target->name + (f.is_multiple() ? "_arr_rel_insert_input" : "_obj_rel_insert_input");
}

// `<c>_insert_input`, `<c>_set_input` and, when the collection has numbers, `<c>_inc_input`.
CollectionInputs add_input_types(const Collection& c, const collections::Catalog& catalog,
                                 std::set<const Collection*>& relation_targets,
                                 std::set<const Collection*>& back_targets,
                                 const std::set<const Collection*>& typed, bool superuser,
                                 Schema& schema) {
  TypeDef insert{.name = c.name + "_insert_input", .kind = TypeKind::kInputObject};
  TypeDef set{.name = c.name + "_set_input", .kind = TypeKind::kInputObject};
  TypeDef inc{.name = c.name + "_inc_input", .kind = TypeKind::kInputObject};
  std::set<std::string> taken;
  for (const Field& f : c.fields) {
    const std::string type = value_input_type(c, f);
    if (type.empty()) continue;
    taken.insert(f.name);
    if (f.type() == FieldType::kRelation) {
      const std::string nested = relation_insert_type(f, catalog, relation_targets);
      if (!nested.empty()) {
        const std::string target = nested.substr(0, nested.size() - kInsertRelSuffixLength);
        insert.input_fields.push_back(mutation_input(f.name, nested));
        set.input_fields.push_back(mutation_input(
            f.name,
            target + (f.is_multiple() ? "_arr_rel_update_input" : "_obj_rel_update_input")));
      }
      continue;
    }
    insert.input_fields.push_back(mutation_input(f.name, type));
    if (f.name == "id") continue;  // an id is given at creation only
    set.input_fields.push_back(mutation_input(f.name, type));
    if (f.type() == FieldType::kNumber) inc.input_fields.push_back(mutation_input(f.name, type));
  }
  // Back-relations: records of another collection that point here, created after this one.
  for (const Collection& other : catalog.all()) {
    if (!insertable(other, typed, superuser) || !is_exposable_name(other.name)) continue;
    for (const Field& f : other.fields) {
      const auto* relation = f.as<schema::RelationOptions>();
      if (relation == nullptr || relation->collection_id != c.id || !is_exposable_name(f.name)) {
        continue;
      }
      std::string name = other.name + "_via_" + f.name;
      if (taken.contains(name)) continue;
      insert.input_fields.push_back(mutation_input(name, other.name + "_via_rel_insert_input"));
      taken.insert(std::move(name));
      back_targets.insert(&other);
    }
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

// The relation input types of `target`: by id always; `data` when the caller class may create
// its records.
void add_relation_input_types(const Collection& target, bool with_data, Schema& schema) {
  TypeDef single{.name = target.name + "_obj_rel_insert_input", .kind = TypeKind::kInputObject};
  single.input_fields.push_back(mutation_input("id", "String"));
  TypeDef multiple{.name = target.name + "_arr_rel_insert_input", .kind = TypeKind::kInputObject};
  multiple.input_fields.push_back(mutation_input("ids", "[String!]"));
  if (with_data) {
    single.input_fields.push_back(mutation_input("data", target.name + "_insert_input"));
    multiple.input_fields.push_back(mutation_input("data", "[" + target.name + "_insert_input!]"));
  }
  schema.add_type(std::move(single));
  schema.add_type(std::move(multiple));
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
  std::set<const Collection*> relation_targets;
  std::set<const Collection*> back_targets;
  for (const Collection& c : catalog.all()) {
    if (!typed.contains(&c) || !has_mutation_fields(c, superuser)) continue;
    const bool create = superuser || c.create_rule.has_value();
    const bool update = superuser || c.update_rule.has_value();
    const bool remove = superuser || c.delete_rule.has_value();
    const CollectionInputs inputs =
        add_input_types(c, catalog, relation_targets, back_targets, typed, superuser, schema);
    const bool has_set = schema.find_type(c.name + "_set_input") != nullptr;
    TypeDef response{.name = c.name + "_mutation_response", .kind = TypeKind::kObject};
    response.fields = {mutation_field("affected_rows", "Int!", {}),
                       mutation_field("returning", "[" + c.name + "!]!", {})};
    schema.add_type(std::move(response));
    const std::string response_type = c.name + "_mutation_response";
    auto bind = [&](std::string name, const std::string& type, std::vector<InputValueDef> args,
                    MutationKind kind) {
      // `insert_x_one` is both x's single insert and the insert of a collection `x_one`: the
      // collection first in the catalog keeps the name, the other goes without that field.
      if (out.mutations.contains(name)) return;
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
  for (const Collection* target : relation_targets) {
    add_relation_input_types(*target, insertable(*target, typed, superuser), schema);
    add_relation_update_types(*target, updatable(*target, typed, superuser), schema);
  }
  for (const Collection* other : back_targets) {
    TypeDef back{.name = other->name + "_via_rel_insert_input", .kind = TypeKind::kInputObject};
    back.input_fields.push_back(mutation_input("data", "[" + other->name + "_insert_input!]!"));
    schema.add_type(std::move(back));
  }
  schema.add_type(std::move(mutation));
  schema.set_root(OperationType::kMutation, "Mutation");
}

}  // namespace basalt::graphql
