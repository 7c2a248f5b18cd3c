#include "basalt/records/upload_staging.hpp"

#include <algorithm>

#include "basalt/schema/file_limits.hpp"

namespace basalt::records {
namespace {

namespace json = boost::json;

bool is_file_field(const schema::Field* field) {
  return field && field->type() == schema::FieldType::kFile;
}

// The name strings of a body value, as PocketBase's list.ToUniqueStringSlice reads them.
std::vector<std::string> name_strings(const json::value& value) {
  std::vector<std::string> out;
  auto add = [&out](std::string_view name) {
    if (!name.empty() && std::find(out.begin(), out.end(), name) == out.end())
      out.emplace_back(name);
  };
  if (const auto* text = value.if_string()) {
    add(*text);
  } else if (const auto* array = value.if_array()) {
    for (const auto& item : *array) {
      if (const auto* name = item.if_string()) add(*name);
    }
  }
  return out;
}

void collect_names(const json::value& value, std::vector<std::string>& out) {
  auto add = [&out](const json::value& item) {
    if (const auto* name = item.if_string(); name && !name->empty()) out.emplace_back(*name);
  };
  if (const auto* array = value.if_array()) {
    for (const auto& item : *array) add(item);
  } else {
    add(value);
  }
}

json::value upload_to_name(const json::value& item) {
  const auto* upload = item.if_object();
  if (!upload) return item;
  const json::value* name = upload->if_contains(schema::kUploadName);
  return name && name->is_string() ? *name : json::value("");
}

}  // namespace

void strip_client_uploads(const schema::Collection& collection, json::object& body) {
  std::vector<std::string> emptied;
  for (auto& entry : body) {
    if (!is_file_field(collection.field_by_name(body_field_name(entry.key())))) continue;
    json::value& value = entry.value();
    if (value.is_object()) {
      emptied.emplace_back(entry.key());
    } else if (auto* array = value.if_array()) {
      array->erase(std::remove_if(array->begin(), array->end(),
                                  [](const json::value& item) { return item.is_object(); }),
                   array->end());
    }
  }
  for (const auto& key : emptied) body.erase(key);
}

void check_upload_parts(const schema::Collection& collection, const std::vector<Upload>& uploads,
                        schema::ValidationErrors& errors) {
  for (const Upload& upload : uploads) {
    const std::string_view key = upload.part;
    const std::string_view name = body_field_name(key);
    const bool modifier_ok =
        key == name || key == "+" + std::string(name) || key == std::string(name) + "+";
    if (modifier_ok && is_file_field(collection.field_by_name(name))) continue;
    errors.add({upload.part},
               schema::make_error("validation_invalid_file_part",
                                  "Files can only be uploaded to a file field, as `field`, "
                                  "`field+` or `+field`."));
  }
}

void attach_uploads(json::object& body, const std::vector<Upload>& uploads,
                    const std::vector<InspectedUpload>& inspected) {
  // Keys in the order their first upload came, each with its uploads in body order.
  std::vector<std::pair<std::string, json::array>> by_key;
  for (std::size_t i = 0; i < uploads.size(); ++i) {
    json::object item;
    item[schema::kUploadMarker] = static_cast<std::int64_t>(i);
    item[schema::kUploadName] = inspected[i].name;
    item[schema::kUploadOriginalName] = inspected[i].original;
    item[schema::kUploadSize] = static_cast<std::int64_t>(
        std::min<std::uint64_t>(uploads[i].size, static_cast<std::uint64_t>(INT64_MAX)));
    item[schema::kUploadMimeType] = inspected[i].mime;
    auto it = std::find_if(by_key.begin(), by_key.end(),
                           [&](const auto& entry) { return entry.first == uploads[i].part; });
    if (it == by_key.end()) {
      by_key.emplace_back(uploads[i].part, json::array());
      it = std::prev(by_key.end());
    }
    it->second.push_back(std::move(item));
  }
  for (auto& [key, files] : by_key) {
    json::array merged;
    const bool plain = body_field_name(key) == key;
    if (const json::value* sent = body.if_contains(key); sent && plain) {
      for (auto& name : name_strings(*sent)) merged.emplace_back(name);
    }
    for (auto& file : files) merged.push_back(std::move(file));
    body[key] = std::move(merged);
  }
}

void replace_uploads_with_names(const schema::Collection& collection, json::object& values) {
  for (const schema::Field& field : collection.fields) {
    if (field.type() != schema::FieldType::kFile) continue;
    json::value* value = values.if_contains(field.name);
    if (!value) continue;
    if (auto* array = value->if_array()) {
      for (auto& item : *array) item = upload_to_name(item);
    } else {
      *value = upload_to_name(*value);
    }
  }
}

std::vector<std::string> stored_file_names(const schema::Collection& collection,
                                           const json::object& values) {
  std::vector<std::string> out;
  for (const schema::Field& field : collection.fields) {
    if (field.type() != schema::FieldType::kFile) continue;
    if (const json::value* value = values.if_contains(field.name)) collect_names(*value, out);
  }
  return out;
}

bool has_file_fields(const schema::Collection& collection) {
  return std::any_of(collection.fields.begin(), collection.fields.end(),
                     [](const auto& field) { return field.type() == schema::FieldType::kFile; });
}

std::vector<std::string> deleted_record_dirs(const collections::Catalog& catalog,
                                             const std::vector<RecordEvent>& events) {
  std::vector<std::string> out;
  for (const RecordEvent& event : events) {
    if (event.action != RecordAction::kDelete) continue;
    const schema::Collection* deleted = catalog.find(event.collection_id);
    const json::value* id = event.record.if_contains(schema::kFieldId);
    if (deleted && has_file_fields(*deleted) && id && id->is_string()) {
      out.push_back(files::record_prefix(deleted->id, id->get_string()));
    }
  }
  return out;
}

}  // namespace basalt::records
