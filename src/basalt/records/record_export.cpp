#include "basalt/records/record_export.hpp"

#include <algorithm>
#include <vector>

namespace basalt::records {

namespace json = boost::json;

json::object export_record(const schema::Collection& collection, const json::object& values,
                           const Visibility& visibility) {
  std::vector<std::pair<std::string_view, json::value>> entries;
  entries.reserve(collection.fields.size() + 2);
  entries.emplace_back("collectionId", json::string(collection.id));
  entries.emplace_back("collectionName", json::string(collection.name));
  const VisibleFields visible(collection, values, visibility);
  for (const auto& field : collection.fields) {
    if (!visible.shows(field)) continue;
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

}  // namespace basalt::records
