// Internal to the schema module: the registry entry of each built-in field type, and the small
// checks several of them share. register_builtin_field_types() is the only user of the entries.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "basalt/schema/field_registry.hpp"

namespace basalt::schema::detail {

FieldTypeInfo text_field_type();
FieldTypeInfo number_field_type();
FieldTypeInfo bool_field_type();
FieldTypeInfo email_field_type();
FieldTypeInfo url_field_type();
FieldTypeInfo editor_field_type();
FieldTypeInfo date_field_type();
FieldTypeInfo autodate_field_type();
FieldTypeInfo select_field_type();
FieldTypeInfo file_field_type();
FieldTypeInfo relation_field_type();
FieldTypeInfo json_field_type();
FieldTypeInfo password_field_type();
FieldTypeInfo geo_point_field_type();

// ozzo Min(threshold): zero values are skipped, then value >= threshold.
void check_min(const ErrorScope& out, std::string_view key, std::int64_t value,
               std::int64_t threshold);
// ozzo Max(threshold): zero values are skipped, then value <= threshold.
void check_max(const ErrorScope& out, std::string_view key, std::int64_t value,
               std::int64_t threshold);
// A pattern option that must compile (validation_invalid_regex with RE2's reason).
void check_regex(const ErrorScope& out, std::string_view key, const RegexPattern& pattern);

// A string-typed value (anything else reads as "").
std::string_view string_of(const boost::json::value& value) noexcept;

// The value's items when it is an array of strings, or the string itself as one item ("" -> none).
std::vector<std::string> list_of(const boost::json::value& value);

// The value of a select or relation field holding `list`: the last item (or "") when the
// field takes one value, the whole list otherwise.
boost::json::value list_value(const Field& field, std::vector<std::string> list);
// The "+name" (prepend), "name+" (append) and "name-" (remove) modifiers, and plain set, of
// select and relation fields; duplicates and empty strings are dropped, order kept.
boost::json::value apply_list(const Field& field, Modifier m, const boost::json::value& raw,
                              const boost::json::value& current);
// A StringList as JSON (null when null).
boost::json::value list_json(const StringList& list);

// Validates text against min/max/pattern (and the primary-key extras), as PocketBase's
// TextField.ValidatePlainValue.
std::optional<FieldError> validate_plain_text(const TextOptions& options, bool required,
                                              std::string_view value);

}  // namespace basalt::schema::detail
