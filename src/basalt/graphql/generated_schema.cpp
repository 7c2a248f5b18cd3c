// Schema generation from the collections (docs/graphql.md, "The schema of the collections").
#include "basalt/graphql/generated_schema.hpp"

#include <set>
#include <utility>
#include <vector>

#include "basalt/graphql/mutation_schema.hpp"
#include "basalt/graphql/record_fields.hpp"
#include "basalt/schema/graphql_names.hpp"

namespace basalt::graphql {
namespace {

using schema::Collection;
using schema::Field;
using schema::FieldType;

InputValueDef input(std::string name, const char* type) {
  return {std::move(name), TypeRef::parse(type), std::nullopt};
}

FieldDef field(std::string name, const std::string& type, std::vector<InputValueDef> args = {}) {
  return {std::move(name), TypeRef::parse(type), std::move(args)};
}

// The arguments of every list of records: root lists, multiple relations, back-relations.
std::vector<InputValueDef> list_arguments(const std::string& collection) {
  return {{"where", TypeRef::parse(collection + "_bool_exp"), std::nullopt},
          {"order_by", TypeRef::parse("[" + collection + "_order_by!]"), std::nullopt},
          input("limit", "Int"),
          input("offset", "Int")};
}

TypeDef& add_comparison(Schema& out, const char* name, const char* scalar, bool text) {
  TypeDef type{.name = name, .kind = TypeKind::kInputObject};
  const std::string s = scalar;
  for (const char* op : {"_eq", "_neq", "_gt", "_gte", "_lt", "_lte"}) {
    type.input_fields.push_back({op, TypeRef::parse(s), std::nullopt});
  }
  type.input_fields.push_back({"_in", TypeRef::parse("[" + s + "!]"), std::nullopt});
  type.input_fields.push_back({"_nin", TypeRef::parse("[" + s + "!]"), std::nullopt});
  type.input_fields.push_back(input("_is_null", "Boolean"));
  if (text) {
    for (const char* op : {"_like", "_ilike", "_nlike", "_nilike"}) {
      type.input_fields.push_back(input(op, "String"));
    }
  }
  return out.add_type(std::move(type));
}

void add_shared_types(Schema& out) {
  out.add_type(TypeDef{.name = "JSON", .kind = TypeKind::kScalar});
  // A file of a multipart request, or a stored file's name (mutation inputs of file fields).
  out.add_type(TypeDef{.name = "Upload", .kind = TypeKind::kScalar});
  TypeDef geo{.name = "GeoPoint", .kind = TypeKind::kObject};
  geo.fields = {field("lon", "Float!"), field("lat", "Float!")};
  out.add_type(std::move(geo));
  TypeDef order{.name = "order_by", .kind = TypeKind::kEnum};
  order.enum_values = {
      "asc", "desc", "asc_nulls_first", "asc_nulls_last", "desc_nulls_first", "desc_nulls_last"};
  out.add_type(std::move(order));
  add_comparison(out, "String_comparison_exp", "String", true);
  add_comparison(out, "Float_comparison_exp", "Float", false);
  add_comparison(out, "Int_comparison_exp", "Int", false);
  TypeDef boolean{.name = "Boolean_comparison_exp", .kind = TypeKind::kInputObject};
  boolean.input_fields = {input("_eq", "Boolean"), input("_neq", "Boolean"),
                          input("_is_null", "Boolean")};
  out.add_type(std::move(boolean));
  // A json field compares its stored value as REST's `data = …` does (a top-level primitive as
  // that primitive); the operands are strings, numbers or booleans (where_filter.cpp).
  // `_path` moves the comparisons inside the value, as REST's `data.a.b` (where_filter.cpp).
  add_comparison(out, "JSON_comparison_exp", "JSON", true)
      .input_fields.push_back(input("_path", "String"));
  // A geoPoint compares through its coordinates, as REST's `location.lon` / `location.lat`, and
  // through its distance in kilometres from a given point, as REST's geoDistance(). The type
  // names end in `_comparison_exp`, which no collection name may (docs/graphql.md, "Names").
  TypeDef distance{.name = "GeoDistance_comparison_exp", .kind = TypeKind::kInputObject};
  distance.input_fields = {input("lon", "Float!"), input("lat", "Float!")};
  for (const char* op : {"_eq", "_neq", "_gt", "_gte", "_lt", "_lte"}) {
    distance.input_fields.push_back(input(op, "Float"));
  }
  out.add_type(std::move(distance));
  TypeDef geo_where{.name = "GeoPoint_comparison_exp", .kind = TypeKind::kInputObject};
  geo_where.input_fields = {input("lon", "Float_comparison_exp"),
                            input("lat", "Float_comparison_exp"),
                            input("_distance", "GeoDistance_comparison_exp")};
  out.add_type(std::move(geo_where));
  TypeDef array{.name = "String_array_comparison_exp", .kind = TypeKind::kInputObject};
  array.input_fields = {input("_contains", "String"), input("_contains_all", "[String!]"),
                        input("_is_null", "Boolean")};
  out.add_type(std::move(array));
}

class Generator {
 public:
  Generator(const collections::Catalog& catalog, CallerClass caller_class, GeneratedSchema& out)
      : catalog_(catalog), superuser_(caller_class == CallerClass::kSuperuser), out_(out) {
    for (const Collection& c : catalog.all()) {
      if (is_exposable_name(c.name) && !schema::graphql_name_problem(c.name)) {
        if (superuser_ || c.list_rule || c.view_rule || has_mutation_fields(c, false)) {
          typed_.insert(&c);
        }
      }
    }
  }

  void run() {
    Schema& schema = out_.schema;
    add_shared_types(schema);
    TypeDef query{.name = "Query", .kind = TypeKind::kObject};
    query.fields.push_back(field(std::string(kSchemaVersionField), "String!"));
    for (const Collection& c : catalog_.all()) {
      if (!typed_.contains(&c)) continue;
      add_collection_types(c);
      const bool list = superuser_ || c.list_rule.has_value();
      const bool view = superuser_ || c.view_rule.has_value();
      if (list) {
        query.fields.push_back(field(c.name, "[" + c.name + "!]!", list_arguments(c.name)));
        out_.roots[c.name] = {&c, RootKind::kList};
        query.fields.push_back(
            field(c.name + "_aggregate", c.name + "_aggregate!", list_arguments(c.name)));
        out_.roots[c.name + "_aggregate"] = {&c, RootKind::kAggregate};
      }
      if (view) {
        query.fields.push_back(field(c.name + "_by_pk", c.name, {input("id", "String!")}));
        out_.roots[c.name + "_by_pk"] = {&c, RootKind::kByPk};
      }
    }
    // Subscriptions (docs/graphql.md): every query root field is also a live query, and each
    // collection the class may list has a change feed.
    TypeDef subscription{.name = "Subscription", .kind = TypeKind::kObject};
    subscription.fields = query.fields;
    add_event_feeds(subscription);
    schema.add_type(std::move(subscription));
    schema.set_root(OperationType::kSubscription, "Subscription");
    // End of subscriptions.
    schema.add_type(std::move(query));
    schema.set_root(OperationType::kQuery, "Query");
    // Mutations (mutation_schema.hpp): the write root fields and their input types.
    add_mutation_types(catalog_, typed_, superuser_, out_);
    schema.finish();
  }

 private:
  // `<c>_events(where, actions): <c>_event!` for every collection whose records the class may
  // list (views have no record events). A feed whose field or type name another collection's
  // own names already take is left out (names are checked at collection create, but not
  // against these two suffixes, which would refuse ordinary names such as "app_events").
  void add_event_feeds(TypeDef& subscription) {
    Schema& schema = out_.schema;
    TypeDef action{.name = std::string(kRecordActionType), .kind = TypeKind::kEnum};
    action.enum_values = {"create", "update", "delete"};
    schema.add_type(std::move(action));
    std::set<std::string> taken;
    for (const FieldDef& f : subscription.fields) taken.insert(f.name);
    for (const Collection& c : catalog_.all()) {
      if (!typed_.contains(&c) || c.is_view() || !(superuser_ || c.list_rule.has_value())) continue;
      const std::string feed = c.name + "_events";
      const std::string type = c.name + "_event";
      if (taken.contains(feed) || catalog_.find(feed) != nullptr ||
          catalog_.find(type) != nullptr) {
        continue;
      }
      TypeDef event{.name = type, .kind = TypeKind::kObject};
      event.fields = {field("action", std::string(kRecordActionType) + "!"),
                      field("record", c.name + "!")};
      schema.add_type(std::move(event));
      subscription.fields.push_back(
          field(feed, type + "!",
                {{"where", TypeRef::parse(c.name + "_bool_exp"), std::nullopt},
                 {"actions", TypeRef::parse("[" + std::string(kRecordActionType) + "!]"),
                  std::nullopt}}));
      out_.event_feeds[feed] = &c;
      taken.insert(feed);
    }
  }

  // A collection a relation may lead to: typed, and the caller class may ever view it.
  bool reachable(const Collection* target) const {
    return target && typed_.contains(target) && (superuser_ || target->view_rule.has_value());
  }

  void add_collection_types(const Collection& c) {
    Schema& schema = out_.schema;
    TypeDef object{.name = c.name, .kind = TypeKind::kObject};
    TypeDef where{.name = c.name + "_bool_exp", .kind = TypeKind::kInputObject};
    TypeDef order{.name = c.name + "_order_by", .kind = TypeKind::kInputObject};
    TypeDef columns{.name = c.name + "_select_column", .kind = TypeKind::kEnum};
    where.input_fields = {{"_and", TypeRef::parse("[" + where.name + "!]"), std::nullopt},
                          {"_or", TypeRef::parse("[" + where.name + "!]"), std::nullopt},
                          {"_not", TypeRef::parse(where.name), std::nullopt}};
    std::vector<FieldDef> numbers;
    std::vector<FieldDef> comparables;
    object.fields.push_back(field("id", "String!"));
    object.fields.push_back(field("collectionId", "String!"));
    object.fields.push_back(field("collectionName", "String!"));
    std::set<std::string> taken{"id", "collectionId", "collectionName"};
    // `<list>_aggregate` of multiple relations and back-relations: name, target collection.
    std::vector<std::pair<std::string, std::string>> list_aggregates;
    for (const Field& f : c.fields) {
      if (!exposed_field(c, f, superuser_)) continue;
      const FieldShape shape = field_shape(f);
      if (superuser_ || !c.is_auth() || f.name != schema::kFieldEmail) {
        columns.enum_values.push_back(f.name);
      }
      if (f.name != "id") {
        if (shape.kind == FieldShape::kRelation) {
          const Collection* target = catalog_.find(f.as<schema::RelationOptions>()->collection_id);
          if (!reachable(target)) continue;
          if (f.is_multiple()) {
            object.fields.push_back(
                field(f.name, "[" + target->name + "!]!", list_arguments(target->name)));
            list_aggregates.emplace_back(f.name + "_aggregate", target->name);
          } else {
            object.fields.push_back(field(f.name, target->name));
            order.input_fields.push_back({f.name, TypeRef::parse(target->name + "_order_by"), {}});
          }
          where.input_fields.push_back({f.name, TypeRef::parse(target->name + "_bool_exp"), {}});
          taken.insert(f.name);
          continue;
        }
        object.fields.push_back(field(f.name, shape.graphql_type));
        taken.insert(f.name);
      }
      if (!shape.comparison.empty()) {
        where.input_fields.push_back({f.name, TypeRef::parse(shape.comparison), std::nullopt});
      }
      // An auth record's email orders nothing for non-superusers: the order (or a min/max)
      // would tell hidden emails apart.
      const bool orderable =
          shape.orderable && (superuser_ || !c.is_auth() || f.name != schema::kFieldEmail);
      if (orderable) order.input_fields.push_back({f.name, TypeRef::parse("order_by"), {}});
      if (shape.kind == FieldShape::kNumber) numbers.push_back(field(f.name, shape.graphql_type));
      if (orderable) comparables.push_back(field(f.name, shape.graphql_type));
    }
    // Generated fields after the collection's own, skipped where a field already has the name.
    for (const Field& f : c.fields) {
      if (!exposed_field(c, f, superuser_) || f.type() != FieldType::kFile) continue;
      std::string name = f.name + "_url";
      if (taken.contains(name)) continue;
      object.fields.push_back(
          field(name, f.is_multiple() ? "[String!]!" : "String", {input("thumb", "String")}));
      taken.insert(std::move(name));
    }
    for (const Collection& other : catalog_.all()) {
      if (!reachable(&other)) continue;
      for (const Field& f : other.fields) {
        const auto* relation = f.as<schema::RelationOptions>();
        if (!relation || relation->collection_id != c.id || !exposed_field(other, f, superuser_)) {
          continue;
        }
        std::string name = other.name + "_via_" + f.name;
        if (taken.contains(name)) continue;
        // In `where`, as a REST filter's `<c>_via_<field>` path: "at least one of them".
        where.input_fields.push_back({name, TypeRef::parse(other.name + "_bool_exp"), {}});
        if (single_back_relation(other, f)) {
          object.fields.push_back(field(name, other.name));  // one record at most
        } else {
          object.fields.push_back(
              field(name, "[" + other.name + "!]!", list_arguments(other.name)));
          list_aggregates.emplace_back(name + "_aggregate", other.name);
          if (!taken.contains(name + "_aggregate")) {
            // Ordered by how many of them the caller may view (record_compiler.cpp).
            order.input_fields.push_back(
                {name + "_aggregate", TypeRef::parse(other.name + "_aggregate_order_by"), {}});
          }
        }
        taken.insert(std::move(name));
      }
    }
    for (auto& [name, target] : list_aggregates) {
      if (taken.contains(name)) continue;
      object.fields.push_back(field(name, target + "_aggregate!", list_arguments(target)));
      taken.insert(std::move(name));
    }
    schema.add_type(std::move(object));
    schema.add_type(std::move(where));
    schema.add_type(std::move(order));
    schema.add_type(std::move(columns));
    add_aggregate_types(c, numbers, comparables);
  }

  void add_aggregate_types(const Collection& c, const std::vector<FieldDef>& numbers,
                           const std::vector<FieldDef>& comparables) {
    Schema& schema = out_.schema;
    TypeDef fields{.name = c.name + "_aggregate_fields", .kind = TypeKind::kObject};
    fields.fields.push_back(
        field("count", "Int!",
              {{"columns", TypeRef::parse("[" + c.name + "_select_column!]"), std::nullopt},
               input("distinct", "Boolean")}));
    auto add_part = [&](const char* part, std::vector<FieldDef> members) {
      if (members.empty()) return;
      TypeDef type{.name = c.name + "_" + part + "_fields", .kind = TypeKind::kObject};
      type.fields = std::move(members);
      fields.fields.push_back(field(part, type.name));
      schema.add_type(std::move(type));
    };
    std::vector<FieldDef> floats;
    for (const FieldDef& number : numbers) floats.push_back(field(number.name, "Float"));
    add_part("sum", floats);
    add_part("avg", floats);
    add_part("min", comparables);
    add_part("max", comparables);
    schema.add_type(std::move(fields));
    TypeDef count_order{.name = c.name + "_aggregate_order_by", .kind = TypeKind::kInputObject};
    count_order.input_fields = {input("count", "order_by")};
    schema.add_type(std::move(count_order));
    TypeDef aggregate{.name = c.name + "_aggregate", .kind = TypeKind::kObject};
    aggregate.fields = {field("aggregate", c.name + "_aggregate_fields"),
                        field("nodes", "[" + c.name + "!]!")};
    schema.add_type(std::move(aggregate));
  }

  const collections::Catalog& catalog_;
  bool superuser_;
  GeneratedSchema& out_;
  std::set<const Collection*> typed_;
};

}  // namespace

bool is_exposable_name(std::string_view name) noexcept {
  if (name.empty() || name.starts_with("__")) return false;
  auto letter = [](char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!letter(name.front())) return false;
  for (char c : name) {
    if (!letter(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

std::shared_ptr<const GeneratedSchema> generate_schema(
    std::shared_ptr<const collections::Catalog> catalog, CallerClass caller_class) {
  auto out = std::make_shared<GeneratedSchema>();
  out->catalog = std::move(catalog);
  out->caller_class = caller_class;
  Generator(*out->catalog, caller_class, *out).run();
  return out;
}

}  // namespace basalt::graphql
