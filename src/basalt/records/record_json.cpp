#include "basalt/records/record_json.hpp"

#include <algorithm>
#include <vector>

#include "basalt/schema/go_json.hpp"

namespace basalt::records {
namespace {

namespace json = boost::json;

bool never_exported(const schema::Collection& collection, const schema::Field& field) {
  return collection.is_auth() &&
         (field.name == schema::kFieldPassword || field.name == schema::kFieldTokenKey);
}

}  // namespace

json::object export_record(const schema::Collection& collection, const json::object& values,
                           const Visibility& visibility) {
  std::vector<std::pair<std::string_view, json::value>> entries;
  entries.reserve(collection.fields.size() + 2);
  entries.emplace_back("collectionId", json::string(collection.id));
  entries.emplace_back("collectionName", json::string(collection.name));
  bool email_hidden = false;
  if (collection.is_auth() && !visibility.email_visible) {
    const json::value* flag = values.if_contains(schema::kFieldEmailVisibility);
    email_hidden = !(flag && flag->is_bool() && flag->as_bool());
  }
  for (const auto& field : collection.fields) {
    if (never_exported(collection, field)) continue;
    if (field.hidden && !visibility.superuser) continue;
    if (email_hidden && field.name == schema::kFieldEmail) continue;
    const json::value* value = values.if_contains(field.name);
    entries.emplace_back(field.name, value ? *value : json::value());
  }
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  json::object out;
  out.reserve(entries.size());
  for (auto& [key, value] : entries) out.emplace(key, std::move(value));
  return out;
}

std::string serialize_record(const schema::Collection& collection, const json::object& values,
                             const Visibility& visibility) {
  return schema::serialize_go_json(export_record(collection, values, visibility));
}

}  // namespace basalt::records
