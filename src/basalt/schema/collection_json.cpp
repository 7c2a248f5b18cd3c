#include "basalt/schema/collection_json.hpp"

#include <algorithm>
#include <stdexcept>

#include "basalt/schema/auth_options_json.hpp"
#include "basalt/schema/collection_defaults.hpp"
#include "basalt/schema/go_json.hpp"
#include "basalt/schema/json_reader.hpp"

namespace basalt::schema {
namespace {

boost::json::value nullable(const Rule& rule) {
  return rule ? boost::json::value(*rule) : boost::json::value(nullptr);
}

FieldError unknown_field_type() {
  return make_error("validation_unknown_field_type", "Missing or unknown field type.");
}

// The collection type named in the body; nullopt when absent or empty. An unknown name is
// reported at "type".
std::optional<CollectionType> body_type(const boost::json::object& obj, ValidationErrors& errors) {
  auto it = obj.find("type");
  if (it == obj.end() || it->value().is_null()) return std::nullopt;
  const auto* name = it->value().if_string();
  if (!name) {
    errors.add({"type"}, error_unsupported_type());
    return std::nullopt;
  }
  if (name->empty()) return std::nullopt;
  auto type = collection_type_from_name(*name);
  if (!type) errors.add({"type"}, error_in());
  return type;
}

std::string body_string(const boost::json::object& obj, std::string_view key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->value().is_string()) return {};
  return std::string(it->value().get_string());
}

std::optional<Field> parse_field(const boost::json::value& item, const ErrorScope& scope,
                                 const FieldTypeRegistry& registry) {
  const auto* obj = item.if_object();
  if (!obj) {
    scope.add(ErrorPath{}, error_unsupported_type());
    return std::nullopt;
  }
  auto type_it = obj->find("type");
  const FieldTypeInfo* info = nullptr;
  if (type_it != obj->end() && type_it->value().is_string()) {
    info = registry.find(std::string_view(type_it->value().get_string()));
  }
  if (!info) {
    scope.add("type", unknown_field_type());
    return std::nullopt;
  }
  Field field;
  field.options = default_field_options(info->type);
  JsonReader in(*obj, scope);
  in.read("id", field.id);
  in.read("name", field.name);
  in.read("system", field.system);
  in.read("hidden", field.hidden);
  in.read("presentable", field.presentable);
  if (info->type != FieldType::kAutodate) {
    in.read("required", field.required);
    in.read("help", field.help);
  }
  info->read_options(in, field.options);
  return field;
}

void read_fields(JsonReader& in, const boost::json::object& obj, Collection& c,
                 const FieldTypeRegistry& registry) {
  if (!in.has("fields")) return;
  const auto* list = in.array("fields");
  if (!list && !obj.at("fields").is_null()) return;  // wrong type: reported by array()
  std::vector<Field> fields;
  if (list) {
    ErrorScope scope = in.errors().nested("fields");
    for (std::size_t i = 0; i < list->size(); ++i) {
      if (auto field = parse_field((*list)[i], scope.nested(std::to_string(i)), registry)) {
        add_field(fields, std::move(*field));
      }
    }
  }
  c.fields = std::move(fields);
}

void read_indexes(JsonReader& in, Collection& c) {
  if (!in.has("indexes")) return;
  StringList indexes;
  in.read("indexes", indexes);
  if (!in.errors().has("indexes")) c.indexes = indexes.value_or(std::vector<std::string>{});
}

}  // namespace

ParsedCollection parse_collection(const boost::json::value& json, ParseMode mode,
                                  const Collection* base, const FieldTypeRegistry& registry) {
  ParsedCollection out;
  const auto* obj = json.if_object();
  if (!obj) {
    out.errors.add({"collection"}, make_error("validation_invalid_value", "Invalid value."));
    return out;
  }
  std::optional<CollectionType> type = body_type(*obj, out.errors);
  Collection& c = out.collection;
  switch (mode) {
    case ParseMode::kCreate: {
      std::string id = body_string(*obj, "id");
      out.id_generated = id.empty();
      c = new_collection(type.value_or(CollectionType::kBase), body_string(*obj, "name"),
                         std::move(id));
      break;
    }
    case ParseMode::kUpdate:
      if (!base)
        throw std::invalid_argument("parse_collection: kUpdate needs the stored collection");
      c = *base;
      if (type) c.type = *type;
      break;
    case ParseMode::kStorage:
      c.type = type.value_or(CollectionType::kBase);
      break;
  }

  JsonReader in(*obj, ErrorScope(out.errors, {}));
  in.read("id", c.id);
  in.read("listRule", c.list_rule);
  in.read("viewRule", c.view_rule);
  in.read("createRule", c.create_rule);
  in.read("updateRule", c.update_rule);
  in.read("deleteRule", c.delete_rule);
  in.read("name", c.name);
  read_fields(in, *obj, c, registry);
  read_indexes(in, c);
  if (mode == ParseMode::kStorage) {
    in.read("created", c.created);
    in.read("updated", c.updated);
  }
  in.read("system", c.system);
  in.read("viewQuery", c.view_query);
  detail::read_auth_options(in, c.auth);
  return out;
}

boost::json::object field_to_json(const Field& field, const FieldTypeRegistry& registry) {
  boost::json::object unsorted;
  unsorted["hidden"] = field.hidden;
  unsorted["id"] = field.id;
  unsorted["name"] = field.name;
  unsorted["presentable"] = field.presentable;
  unsorted["system"] = field.system;
  unsorted["type"] = field.type_name();
  if (field.type() != FieldType::kAutodate) {
    unsorted["help"] = field.help;
    unsorted["required"] = field.required;
  }
  registry.at(field.type()).write_options(field.options, unsorted);

  std::vector<const boost::json::key_value_pair*> entries;
  entries.reserve(unsorted.size());
  for (const auto& entry : unsorted) entries.push_back(&entry);
  std::sort(entries.begin(), entries.end(),
            [](const auto* a, const auto* b) { return a->key() < b->key(); });
  boost::json::object sorted;
  sorted.reserve(entries.size());
  for (const auto* entry : entries) sorted[entry->key()] = entry->value();
  return sorted;
}

boost::json::object collection_to_json(const Collection& c, JsonForm form,
                                       const FieldTypeRegistry& registry) {
  boost::json::object out;
  out["id"] = c.id;
  out["listRule"] = nullable(c.list_rule);
  out["viewRule"] = nullable(c.view_rule);
  out["createRule"] = nullable(c.create_rule);
  out["updateRule"] = nullable(c.update_rule);
  out["deleteRule"] = nullable(c.delete_rule);
  out["name"] = c.name;
  out["type"] = collection_type_name(c.type);
  boost::json::array fields;
  fields.reserve(c.fields.size());
  for (const auto& field : c.fields) fields.emplace_back(field_to_json(field, registry));
  out["fields"] = std::move(fields);
  boost::json::array indexes;
  for (const auto& index : c.indexes) indexes.emplace_back(index);
  out["indexes"] = std::move(indexes);
  out["created"] = c.created;
  out["updated"] = c.updated;
  out["system"] = c.system;
  if (c.is_view()) out["viewQuery"] = c.view_query;
  if (c.is_auth()) detail::write_auth_options(c.auth, form, out);
  return out;
}

std::string serialize_collection(const Collection& collection, JsonForm form,
                                 const FieldTypeRegistry& registry) {
  return serialize_go_json(collection_to_json(collection, form, registry));
}

}  // namespace basalt::schema
