// The "indexes" checks of collection validation (core/collection_validate.go checkIndexes),
// plus Basalt's own: a strict statement parse and plain columns that exist.

#include <algorithm>
#include <cctype>
#include <set>

#include "basalt/schema/collection_checks.hpp"
#include "basalt/schema/index_sql.hpp"

namespace basalt::schema::detail {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The collection other than this one whose indexes already use `index_name`, if any.
const Collection* index_name_owner(const CollectionCheck& check, std::string_view index_name) {
  for (const auto& other : check.lookup.collections) {
    if (other.id == check.collection.id || (check.old && other.id == check.old->id)) continue;
    for (const auto& raw : other.indexes) {
      auto parsed = IndexDefinition::parse(raw);
      if (parsed && iequals(parsed->index_name, index_name)) return &other;
    }
  }
  return nullptr;
}

// A unique index of the old collection on a system field must survive (collation, sort order
// and WHERE clause aside).
void check_system_unique_indexes(const CollectionCheck& check, const ErrorScope& out) {
  auto strip = [](IndexDefinition index) {
    for (auto& column : index.columns) {
      column.collate.clear();
      column.sort.clear();
    }
    return index;
  };
  for (const auto& old_raw : check.old->indexes) {
    auto old_index = IndexDefinition::parse(old_raw);
    if (!old_index || !old_index->unique) continue;
    IndexDefinition wanted = strip(*old_index);
    for (const auto& column : old_index->columns) {
      const Field* system_field = nullptr;
      for (const auto& field : check.old->fields) {
        if (field.system && iequals(field.name, column.name)) system_field = &field;
      }
      if (!system_field) continue;
      bool kept = std::any_of(check.collection.indexes.begin(), check.collection.indexes.end(),
                              [&](const std::string& raw) {
                                auto index = IndexDefinition::parse(raw);
                                if (!index) return false;
                                IndexDefinition candidate = strip(*index);
                                candidate.schema_name = wanted.schema_name;
                                candidate.index_name = wanted.index_name;
                                candidate.table_name = wanted.table_name;
                                candidate.where = wanted.where;
                                return candidate.build() == wanted.build();
                              });
      if (!kept) {
        out.add("indexes", make_error("validation_invalid_unique_system_field_index",
                                      "Unique index definition on system fields "
                                      "({{.fieldName}}) is invalid or missing.",
                                      {{"fieldName", system_field->name}}));
        return;
      }
      break;  // one system column is enough to require the index
    }
  }
}

}  // namespace

void check_indexes(const CollectionCheck& check, const ErrorScope& out) {
  const Collection& c = check.collection;
  if (c.is_view()) {
    if (!c.indexes.empty()) {
      out.add("indexes", make_error("validation_indexes_not_supported",
                                    "View collections don't support indexes."));
    }
    return;
  }
  ErrorScope items = out.nested("indexes");
  std::set<std::string> names;
  std::set<std::string> definitions;
  for (std::size_t i = 0; i < c.indexes.size(); ++i) {
    std::string key = std::to_string(i);
    std::string reason;
    auto index = IndexDefinition::parse(c.indexes[i], &reason);
    if (!index || !index->valid()) {
      items.add(key,
                make_error("validation_invalid_index_expression",
                           "Invalid CREATE INDEX expression - " +
                               (reason.empty() ? std::string("incomplete statement") : reason)));
      continue;
    }
    if (!names.insert(lower(index->index_name)).second) {
      items.add(key,
                make_error("validation_duplicated_index_name", "The index name already exists."));
      continue;
    }
    if (const Collection* owner = index_name_owner(check, index->index_name)) {
      items.add(key, make_error("validation_existing_index_name",
                                "The index name is already used in {{.usedTableName}} collection.",
                                {{"usedTableName", owner->name}}));
      continue;
    }
    IndexDefinition shape = *index;
    shape.schema_name = shape.index_name = shape.table_name = "validator";
    if (!definitions.insert(shape.build()).second) {
      items.add(key, make_error("validation_duplicated_index_definition",
                                "The index definition already exists."));
      continue;
    }
    for (const auto& column : index->columns) {
      bool exists = column.is_expression() ||
                    std::any_of(c.fields.begin(), c.fields.end(),
                                [&](const Field& f) { return iequals(f.name, column.name); });
      if (!exists) {
        items.add(key, make_error("validation_invalid_index_expression",
                                  "Failed to create index " + index->index_name +
                                      " - no such column: " + column.name + "."));
        break;
      }
    }
  }
  if (check.old) check_system_unique_indexes(check, out);
  if (c.is_auth()) {
    for (std::string_view name : {kFieldTokenKey, kFieldEmail}) {
      if (!find_single_column_unique_index(c.indexes, name)) {
        out.add("indexes", make_error("validation_missing_required_unique_index",
                                      "Missing required unique index for field \"{{.fieldName}}\".",
                                      {{"fieldName", std::string(name)}}));
      }
    }
  }
}

}  // namespace basalt::schema::detail
