// Field: one column of a collection - the attributes every type shares plus the options of its
// type (field_options.hpp). A plain value type: copy it, compare it, keep it in a Collection.
//
// Invariant: the type of a Field is the alternative held by `options`; there is no separate
// type member to disagree with it.
#pragma once

#include <string>
#include <utility>

#include "basalt/schema/field_options.hpp"
#include "basalt/schema/field_type.hpp"

namespace basalt::schema {

// Field names with a fixed meaning (core/field.go).
inline constexpr std::string_view kFieldId = "id";
inline constexpr std::string_view kFieldPassword = "password";
inline constexpr std::string_view kFieldTokenKey = "tokenKey";
inline constexpr std::string_view kFieldEmail = "email";
inline constexpr std::string_view kFieldEmailVisibility = "emailVisibility";
inline constexpr std::string_view kFieldVerified = "verified";

struct Field {
  std::string id;            // stable identifier; "" until defaults assign type+crc32(name)
  std::string name;          // column name, ^\w+$
  bool system = false;       // cannot be renamed or removed
  bool hidden = false;       // not exported to, nor settable by, non-superusers
  bool presentable = false;  // UI hint
  bool required = false;     // non-zero value required (not used by autodate)
  std::string help;          // UI hint, at most 300 bytes (not used by autodate)
  FieldOptions options;

  Field() = default;
  Field(std::string field_name, FieldOptions field_options)
      : name(std::move(field_name)), options(std::move(field_options)) {}

  FieldType type() const noexcept { return static_cast<FieldType>(options.index()); }
  std::string_view type_name() const noexcept { return field_type_name(type()); }

  template <typename T>
  const T* as() const noexcept {
    return std::get_if<T>(&options);
  }
  template <typename T>
  T* as() noexcept {
    return std::get_if<T>(&options);
  }

  // select, relation and file fields with maxSelect > 1 hold an array of strings.
  bool is_multiple() const noexcept;
  // The text field flagged as primary key.
  bool is_primary_key() const noexcept;

  friend bool operator==(const Field&, const Field&) = default;
};

}  // namespace basalt::schema
