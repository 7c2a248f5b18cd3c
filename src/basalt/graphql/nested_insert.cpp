#include "basalt/graphql/nested_insert.hpp"

#include <utility>

#include "basalt/graphql/field_failure.hpp"
#include "basalt/graphql/mutation_executor.hpp"
#include "basalt/schema/field_options.hpp"

namespace basalt::graphql {
namespace {

namespace json = boost::json;
using schema::Collection;

// The id of a record `data` creates: the one it gives, else a new one from the collection's id
// pattern (written into `data`, so the create uses it).
std::string nested_record_id(const Collection& target, json::object& data) {
  if (const json::value* given = data.if_contains("id"); given && given->is_string()) {
    if (!given->get_string().empty()) return std::string(given->get_string());
  }
  std::string id = schema::new_id_of(target);
  if (id.empty()) {
    throw FieldFailure(ErrorCode::kValidationFailed,
                       "A nested record of \"" + target.name +
                           "\" needs an id: the collection does not generate them.");
  }
  data["id"] = id;
  return id;
}

[[noreturn]] void too_many_creates() {
  throw FieldFailure(ErrorCode::kLimitExceeded, "A mutation request writes at most " +
                                                    std::to_string(kMaxMutationWrites) +
                                                    " records, nested records included.");
}

const json::value* member(const json::object& object, const char* name) {
  const json::value* value = object.if_contains(name);
  return value != nullptr && !value->is_null() ? value : nullptr;
}

// A back-relation insert of a body key: the records of `other` to create, whose relation `field`
// is to name the record being created. `other` is null when the key is not one.
struct BackRelationInsert {
  const Collection* other = nullptr;
  const schema::Field* field = nullptr;
  json::array records;
};

BackRelationInsert back_relation_of(const collections::Catalog& catalog,
                                    const Collection& collection, std::string_view key,
                                    const json::value& value) {
  BackRelationInsert out;
  const std::size_t via = key.find("_via_");
  if (via == std::string_view::npos || collection.field_by_name(key) != nullptr) return out;
  const Collection* other = catalog.find(key.substr(0, via));
  const schema::Field* field = other ? other->field_by_name(key.substr(via + 5)) : nullptr;
  const auto* relation = field ? field->as<schema::RelationOptions>() : nullptr;
  if (relation == nullptr || relation->collection_id != collection.id) return out;
  out.other = other;
  out.field = field;
  if (value.is_object()) {
    if (const json::value* data = value.get_object().if_contains("data");
        data && data->is_array()) {
      out.records = data->get_array();
    }
  }
  return out;
}

}  // namespace

std::size_t plan_nested_creates(const collections::Catalog& catalog, const Collection& collection,
                                const json::object& object, std::size_t max_creates,
                                std::vector<PlannedCreate>& out, std::size_t depth) {
  if (depth > kMaxNestedInsertDepth) {
    throw FieldFailure(
        ErrorCode::kLimitExceeded,
        "Nested inserts go at most " + std::to_string(kMaxNestedInsertDepth) + " relations deep.");
  }
  if (out.size() >= max_creates) too_many_creates();
  PlannedCreate own{&collection, object};
  for (const schema::Field& field : collection.fields) {
    const auto* relation = field.as<schema::RelationOptions>();
    if (relation == nullptr) continue;
    json::value* value = own.body.if_contains(field.name);
    if (value == nullptr || !value->is_object()) continue;  // absent or null: as REST
    const json::object given = value->get_object();
    const Collection* target = catalog.find(relation->collection_id);
    const json::value* data = member(given, "data");
    if (field.is_multiple()) {
      json::array ids;
      if (const json::value* listed = member(given, "ids"); listed && listed->is_array()) {
        ids = listed->get_array();
      }
      if (data != nullptr && data->is_array() && target != nullptr) {
        for (const json::value& item : data->get_array()) {
          if (!item.is_object()) continue;
          json::object record = item.get_object();
          ids.emplace_back(nested_record_id(*target, record));
          plan_nested_creates(catalog, *target, record, max_creates, out, depth + 1);
        }
      }
      *value = std::move(ids);
      continue;
    }
    const json::value* id = member(given, "id");
    if (id != nullptr && data != nullptr) {
      throw FieldFailure(ErrorCode::kValidationFailed,
                         "The relation \"" + field.name + "\" takes either id or data, not both.");
    }
    if (data != nullptr && data->is_object() && target != nullptr) {
      json::object record = data->get_object();
      *value = nested_record_id(*target, record);
      plan_nested_creates(catalog, *target, record, max_creates, out, depth + 1);
    } else {
      *value = id != nullptr ? *id : json::value("");
    }
  }
  // Back-relations (`<other>_via_<field>: {data: […]}`): taken out of the body, created after
  // this record with `field` naming it.
  std::vector<BackRelationInsert> backs;
  for (auto it = own.body.begin(); it != own.body.end();) {
    BackRelationInsert back = back_relation_of(catalog, collection, it->key(), it->value());
    if (back.other == nullptr) {
      ++it;
      continue;
    }
    backs.push_back(std::move(back));
    it = own.body.erase(it);
  }
  std::string own_id;
  if (!backs.empty()) own_id = nested_record_id(collection, own.body);
  if (out.size() >= max_creates) too_many_creates();
  out.push_back(std::move(own));
  const std::size_t own_index = out.size() - 1;
  for (BackRelationInsert& back : backs) {
    for (json::value& item : back.records) {
      if (!item.is_object()) continue;
      json::object& record = item.get_object();
      if (const json::value* set = record.if_contains(back.field->name); set && !set->is_null()) {
        throw FieldFailure(ErrorCode::kValidationFailed,
                           "\"" + back.field->name + "\" of a record in " + back.other->name +
                               "_via_" + back.field->name + " is set by the record above it.");
      }
      record[back.field->name] = back.field->is_multiple()
                                     ? json::value(json::array{json::value(own_id)})
                                     : json::value(own_id);
      plan_nested_creates(catalog, *back.other, record, max_creates, out, depth + 1);
    }
  }
  return own_index;
}

}  // namespace basalt::graphql
