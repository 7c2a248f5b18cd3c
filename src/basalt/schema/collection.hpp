// Collection: the definition of one table of records (docs/storage.md, "Defining collections",
// core/collection_model.go).
//
// A plain value type. It carries no behaviour beyond lookups; defaults are applied by
// collection_defaults.hpp, JSON lives in collection_json.hpp, validation in
// collection_validator.hpp. The services keep Collections in a cache that is replaced, never
// mutated, so a `const Collection&` may be read from any thread.
//
// Rules: std::nullopt is JSON null ("locked": superusers only), "" lets everyone through, any
// other string is a filter that must hold (docs/api.md, "Rules").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/schema/auth_options.hpp"
#include "basalt/schema/field.hpp"

namespace basalt::schema {

enum class CollectionType : std::uint8_t { kBase, kAuth, kView };

// "base", "auth", "view".
std::string_view collection_type_name(CollectionType type) noexcept;
std::optional<CollectionType> collection_type_from_name(std::string_view name) noexcept;

using Rule = std::optional<std::string>;

struct Collection {
  std::string id;    // "pbc_<crc32>" by default; users: "_pb_users_auth_"
  std::string name;  // ^\w+$, unique case-insensitively
  CollectionType type = CollectionType::kBase;
  bool system = false;  // cannot be renamed, deleted, or have its rules changed

  Rule list_rule;
  Rule view_rule;
  Rule create_rule;
  Rule update_rule;
  Rule delete_rule;

  std::vector<Field> fields;
  // Raw CREATE [UNIQUE] INDEX statements (docs/storage.md, "Defining collections").
  std::vector<std::string> indexes;

  std::string created;  // PocketBase datetime text; set by whoever stores the collection
  std::string updated;

  std::string view_query;  // view collections only
  AuthOptions auth;        // auth collections only (ignored and not serialized otherwise)

  bool is_base() const noexcept { return type == CollectionType::kBase; }
  bool is_auth() const noexcept { return type == CollectionType::kAuth; }
  bool is_view() const noexcept { return type == CollectionType::kView; }

  // Exact (case-sensitive) lookups, as PocketBase's FieldsList does; nullptr when absent.
  const Field* field_by_name(std::string_view field_name) const noexcept;
  Field* field_by_name(std::string_view field_name) noexcept;
  const Field* field_by_id(std::string_view field_id) const noexcept;

  friend bool operator==(const Collection&, const Collection&) = default;
};

// Case-insensitive ASCII comparison, as collection and field names are compared.
bool iequals(std::string_view a, std::string_view b) noexcept;

}  // namespace basalt::schema
