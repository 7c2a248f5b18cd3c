#include "basalt/schema/field_registry.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "basalt/schema/builtin_field_types.hpp"
#include "basalt/schema/value_cast.hpp"

namespace basalt::schema {

void FieldTypeRegistry::add(const FieldTypeInfo& info) {
  entries_[static_cast<std::size_t>(info.type)] = info;
}

const FieldTypeInfo* FieldTypeRegistry::find(FieldType type) const noexcept {
  const auto& entry = entries_[static_cast<std::size_t>(type)];
  return entry ? &*entry : nullptr;
}

const FieldTypeInfo* FieldTypeRegistry::find(std::string_view name) const noexcept {
  auto type = field_type_from_name(name);
  return type ? find(*type) : nullptr;
}

const FieldTypeInfo& FieldTypeRegistry::at(FieldType type) const {
  const FieldTypeInfo* info = find(type);
  if (!info) throw std::out_of_range("field type not registered");
  return *info;
}

void register_builtin_field_types(FieldTypeRegistry& registry) {
  registry.add(detail::text_field_type());
  registry.add(detail::number_field_type());
  registry.add(detail::bool_field_type());
  registry.add(detail::email_field_type());
  registry.add(detail::url_field_type());
  registry.add(detail::editor_field_type());
  registry.add(detail::date_field_type());
  registry.add(detail::autodate_field_type());
  registry.add(detail::select_field_type());
  registry.add(detail::file_field_type());
  registry.add(detail::relation_field_type());
  registry.add(detail::json_field_type());
  registry.add(detail::password_field_type());
  registry.add(detail::geo_point_field_type());
}

const FieldTypeRegistry& builtin_field_types() {
  static const FieldTypeRegistry registry = [] {
    FieldTypeRegistry r;
    register_builtin_field_types(r);
    return r;
  }();
  return registry;
}

ColumnSpec column_for(const Field& field, const FieldTypeRegistry& registry) {
  ColumnSpec spec = registry.at(field.type()).column(field);
  spec.name = field.name;
  return spec;
}

db::ColumnType sql_column_type(ColumnKind kind) noexcept {
  switch (kind) {
    case ColumnKind::kText:
      return db::ColumnType::kText;
    case ColumnKind::kInteger:
      return db::ColumnType::kInteger;
    case ColumnKind::kReal:
      return db::ColumnType::kReal;
    case ColumnKind::kBool:
      return db::ColumnType::kBool;
    case ColumnKind::kJson:
      return db::ColumnType::kJson;
  }
  return db::ColumnType::kText;
}

namespace detail {

void check_min(const ErrorScope& out, std::string_view key, std::int64_t value,
               std::int64_t threshold) {
  if (value != 0 && value < threshold) out.add(key, error_min_threshold(threshold));
}

void check_max(const ErrorScope& out, std::string_view key, std::int64_t value,
               std::int64_t threshold) {
  if (value != 0 && value > threshold) out.add(key, error_max_threshold(threshold));
}

void check_regex(const ErrorScope& out, std::string_view key, const RegexPattern& pattern) {
  if (!pattern.valid()) out.add(key, make_error("validation_invalid_regex", pattern.error()));
}

std::string_view string_of(const boost::json::value& value) noexcept {
  if (const auto* s = value.if_string()) return *s;
  return {};
}

std::vector<std::string> list_of(const boost::json::value& value) {
  std::vector<std::string> out;
  if (const auto* s = value.if_string()) {
    if (!s->empty()) out.emplace_back(*s);
  } else if (const auto* a = value.if_array()) {
    for (const auto& item : *a) {
      if (const auto* text = item.if_string(); text && !text->empty()) out.emplace_back(*text);
    }
  }
  return out;
}

boost::json::value list_value(const Field& field, std::vector<std::string> list) {
  if (field.is_multiple()) return strings_to_json(list);
  return list.empty() ? boost::json::value("") : boost::json::value(list.back());
}

static std::int64_t max_select_of(const Field& field) noexcept {
  if (const auto* select = field.as<SelectOptions>()) return select->max_select;
  if (const auto* relation = field.as<RelationOptions>()) return relation->max_select;
  if (const auto* file = field.as<FileOptions>()) return file->max_select;
  return 1;
}

boost::json::value apply_list(const Field& field, Modifier m, const boost::json::value& raw,
                              const boost::json::value& current) {
  // A multi-value field holds at most maxSelect items, so maxSelect + 1 unique given items
  // already decide "too many" for set, append and prepend; the rest is never looked at.
  // Subtracting needs every given item, but keeps at most what is stored.
  std::size_t limit = std::numeric_limits<std::size_t>::max();
  if (field.is_multiple() && m != Modifier::kSubtract) {
    limit = static_cast<std::size_t>(max_select_of(field)) + 1;
  }
  std::vector<std::string> now = to_unique_strings(current);
  std::vector<std::string> given = to_unique_strings(raw, limit);
  std::vector<std::string> combined;
  switch (m) {
    case Modifier::kSet:
      // Already unique, as to_unique_strings made it.
      return list_value(field, std::move(given));
    case Modifier::kAppend:
      combined = std::move(now);
      combined.insert(combined.end(), given.begin(), given.end());
      break;
    case Modifier::kPrepend:
      combined = std::move(given);
      combined.insert(combined.end(), now.begin(), now.end());
      break;
    case Modifier::kSubtract:
      for (auto& item : now) {
        if (std::find(given.begin(), given.end(), item) == given.end()) {
          combined.push_back(std::move(item));
        }
      }
      // A part of a unique list is unique.
      return list_value(field, std::move(combined));
    default:
      return current;
  }
  return list_value(field, to_unique_strings(strings_to_json(combined)));
}

boost::json::value list_json(const StringList& list) {
  return list ? strings_to_json(*list) : boost::json::value(nullptr);
}

}  // namespace detail
}  // namespace basalt::schema
