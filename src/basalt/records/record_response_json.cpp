#include "basalt/records/record_response_json.hpp"

#include <algorithm>
#include <string_view>
#include <vector>

#include "basalt/records/visibility.hpp"
#include "basalt/schema/go_json.hpp"

namespace basalt::records {
namespace {

namespace json = boost::json;

// One key of a record object: a field, the two collection keys, or `expand`.
struct Key {
  std::string_view name;
  const json::value* value = nullptr;  // null for the non-field keys
  enum Kind { kField, kCollectionId, kCollectionName, kExpand } kind = kField;
};

void write_expand(std::string& out, const std::vector<Expansion>& expand, bool superuser) {
  std::vector<const Expansion*> sorted;
  sorted.reserve(expand.size());
  for (const auto& entry : expand) sorted.push_back(&entry);
  std::sort(sorted.begin(), sorted.end(),
            [](const Expansion* a, const Expansion* b) { return a->key < b->key; });
  out += '{';
  bool first = true;
  for (const Expansion* entry : sorted) {
    if (!first) out += ',';
    first = false;
    schema::append_go_json_string(out, entry->key);
    out += ':';
    if (!entry->many) {
      write_record(out, *entry->records.front(), superuser);
      continue;
    }
    out += '[';
    for (std::size_t i = 0; i < entry->records.size(); ++i) {
      if (i) out += ',';
      write_record(out, *entry->records[i], superuser);
    }
    out += ']';
  }
  out += '}';
}

}  // namespace

void write_record(std::string& out, const Record& record, bool superuser) {
  const schema::Collection& collection = *record.collection;
  const VisibleFields visible(collection, record.values, {superuser, record.email_visible});
  std::vector<Key> keys;
  keys.reserve(collection.fields.size() + 3);
  keys.push_back({"collectionId", nullptr, Key::kCollectionId});
  keys.push_back({"collectionName", nullptr, Key::kCollectionName});
  if (!record.expand.empty()) keys.push_back({"expand", nullptr, Key::kExpand});
  static const json::value null_value;
  const auto hidden_by_hook = [&record](std::string_view name) {
    return std::find(record.hook_hidden.begin(), record.hook_hidden.end(), name) !=
           record.hook_hidden.end();
  };
  for (const auto& field : collection.fields) {
    if (!visible.shows(field) || hidden_by_hook(field.name)) continue;
    const json::value* value = record.hook_fields.if_contains(field.name);
    if (!value) value = record.values.if_contains(field.name);
    keys.push_back({field.name, value ? value : &null_value, Key::kField});
  }
  // Keys an after-list/view hook added (hook_port.hpp); a field's own name was handled above.
  for (const auto& entry : record.hook_fields) {
    const std::string_view name = entry.key();
    if (collection.field_by_name(name) || name == "collectionId" || name == "collectionName" ||
        name == "expand") {
      continue;
    }
    keys.push_back({name, &entry.value(), Key::kField});
  }
  std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) { return a.name < b.name; });
  out += '{';
  bool first = true;
  for (const Key& key : keys) {
    if (!first) out += ',';
    first = false;
    schema::append_go_json_string(out, key.name);
    out += ':';
    switch (key.kind) {
      case Key::kField:
        schema::append_go_json(out, *key.value);
        break;
      case Key::kCollectionId:
        schema::append_go_json_string(out, collection.id);
        break;
      case Key::kCollectionName:
        schema::append_go_json_string(out, collection.name);
        break;
      case Key::kExpand:
        write_expand(out, record.expand, superuser);
        break;
    }
  }
  out += '}';
}

void write_page(std::string& out, const RecordPage& page, bool superuser) {
  out += "{\"items\":[";
  for (std::size_t i = 0; i < page.items.size(); ++i) {
    if (i) out += ',';
    write_record(out, page.items[i], superuser);
  }
  out += "],\"page\":";
  out += std::to_string(page.page);
  out += ",\"perPage\":";
  out += std::to_string(page.per_page);
  out += ",\"totalItems\":";
  out += std::to_string(page.total_items);
  out += ",\"totalPages\":";
  out += std::to_string(page.total_pages);
  out += '}';
}

}  // namespace basalt::records
