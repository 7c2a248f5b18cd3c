// FieldType: the closed set of collection field types of the PocketBase contract (docs/storage.md,
// "Defining collections"), and the storage-neutral description of the column each one needs.
//
// The db module turns a ColumnSpec into dialect DDL; nothing here knows SQLite from PostgreSQL.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace basalt::schema {

// The order is the order of FieldOptions' alternatives (field_options.hpp): the enum value is
// the variant index. Add a type at the end of both, never in the middle.
enum class FieldType : std::uint8_t {
  kText,
  kNumber,
  kBool,
  kEmail,
  kUrl,
  kEditor,
  kDate,
  kAutodate,
  kSelect,
  kFile,
  kRelation,
  kJson,
  kPassword,
  kGeoPoint,
};

inline constexpr std::size_t kFieldTypeCount = 14;

// The JSON spelling of every type, in enum order ("text", "number", ..., "geoPoint").
inline constexpr std::array<std::string_view, kFieldTypeCount> kFieldTypeNames = {
    "text",     "number", "bool", "email",    "url",  "editor",   "date",
    "autodate", "select", "file", "relation", "json", "password", "geoPoint",
};

constexpr std::string_view field_type_name(FieldType type) noexcept {
  return kFieldTypeNames[static_cast<std::size_t>(type)];
}

// Case-sensitive, like PocketBase's field factory map.
std::optional<FieldType> field_type_from_name(std::string_view name) noexcept;

// The logical kind of a column; the dialect picks the SQL type.
enum class ColumnKind : std::uint8_t { kText, kInteger, kReal, kBool, kJson };

// What a column holds when a row is inserted without it (PocketBase's DEFAULT clauses).
enum class ColumnDefault : std::uint8_t {
  kNone,            // no DEFAULT clause
  kNull,            // DEFAULT NULL (the column is nullable)
  kEmptyText,       // ''
  kZero,            // 0
  kFalse,           // FALSE
  kEmptyJsonArray,  // '[]'
  kZeroGeoPoint,    // '{"lon":0,"lat":0}'
  kNow,             // the current time in the PocketBase datetime format
  kRandomId,        // a random record id (last-resort fallback for rows inserted with raw SQL)
};

// One column of a table, free of any SQL dialect.
struct ColumnSpec {
  std::string name;
  ColumnKind kind = ColumnKind::kText;
  ColumnDefault default_value = ColumnDefault::kNone;
  bool primary_key = false;
  bool not_null = true;
};

}  // namespace basalt::schema
