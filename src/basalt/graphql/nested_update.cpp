#include "basalt/graphql/nested_update.hpp"

#include "basalt/graphql/field_failure.hpp"
#include "basalt/schema/field_options.hpp"

namespace basalt::graphql {
namespace {

namespace json = boost::json;

bool given(const json::object& object, const char* name) {
  const json::value* value = object.if_contains(name);
  return value != nullptr && !value->is_null();
}

}  // namespace

json::object split_related_updates(const collections::Catalog& catalog,
                                   const schema::Collection& collection, const json::object& args,
                                   std::vector<RelatedUpdate>& out) {
  json::object result = args;
  json::value* set = result.if_contains("_set");
  if (set == nullptr || !set->is_object()) return result;
  json::object& body = set->get_object();
  for (const schema::Field& field : collection.fields) {
    const auto* relation = field.as<schema::RelationOptions>();
    json::value* value = body.if_contains(field.name);
    if (relation == nullptr || value == nullptr || !value->is_object()) continue;
    const json::object object = value->get_object();
    const char* ids_key = field.is_multiple() ? "ids" : "id";
    RelatedUpdate update;
    update.target = catalog.find(relation->collection_id);
    update.field = &field;
    if (given(object, "_set")) update.args["_set"] = object.at("_set");
    if (given(object, "_inc")) update.args["_inc"] = object.at("_inc");
    if (given(object, ids_key)) {
      const json::value& ids = object.at(ids_key);
      *value = ids;  // the relation as a REST body sets it
      std::vector<std::string> named;
      if (ids.is_string()) named.emplace_back(ids.get_string());
      if (ids.is_array()) {
        for (const json::value& id : ids.get_array()) {
          if (id.is_string()) named.emplace_back(id.get_string());
        }
      }
      update.ids = std::move(named);
    } else {
      body.erase(field.name);
    }
    if (update.args.empty()) continue;  // only the relation itself changes
    if (update.target == nullptr) {
      throw FieldFailure(ErrorCode::kValidationFailed,
                         "The relation \"" + field.name + "\" has no collection to update.");
    }
    out.push_back(std::move(update));
  }
  return result;
}

}  // namespace basalt::graphql
