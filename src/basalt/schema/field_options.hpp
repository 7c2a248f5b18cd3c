// The type-specific options of every field type, with PocketBase's JSON names (core/field_*.go)
// in the comments. Zero values mean what they mean in PocketBase ("0 = default max", etc.).
//
// StringList keeps Go's nil-versus-empty distinction so that a collection round-trips
// byte-for-byte: nullopt is JSON null, an empty vector is [].
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "basalt/schema/datetime.hpp"
#include "basalt/schema/field_type.hpp"
#include "basalt/schema/generator_pattern.hpp"
#include "basalt/schema/regex_pattern.hpp"

namespace basalt::schema {

using StringList = std::optional<std::vector<std::string>>;

// The items of a StringList (empty for null).
const std::vector<std::string>& items(const StringList& list) noexcept;

inline constexpr std::int64_t kDefaultTextMaxLength = 5000;     // text max 0 => 5000
inline constexpr std::int64_t kDefaultEditorMaxSize = 5 << 20;  // bytes
inline constexpr std::int64_t kDefaultFileMaxSize = 5 << 20;    // bytes
inline constexpr std::int64_t kDefaultJsonMaxSize = 1 << 20;    // bytes
inline constexpr std::int64_t kDefaultPasswordMaxLength = 71;   // bcrypt's limit
// The pattern of PocketBase's default record id; custom patterns get extra primary-key checks.
inline constexpr std::string_view kDefaultIdPattern = "^[a-z0-9]+$";
// The autogeneratePattern of PocketBase's default record id. A primary key with exactly this
// pattern gets time-ordered ids (time_ordered_id.hpp); any other pattern gets random values.
inline constexpr std::string_view kDefaultIdAutogenerate = "[a-z0-9]{15}";
inline constexpr std::int64_t kMaxSafeJsonInt = (std::int64_t{1} << 53) - 1;

struct TextOptions {
  std::int64_t min = 0;           // "min": minimum characters; 0 = none
  std::int64_t max = 0;           // "max": maximum characters; 0 = 5000
  RegexPattern pattern;           // "pattern"
  GeneratorPattern autogenerate;  // "autogeneratePattern"
  bool primary_key = false;       // "primaryKey"
  friend bool operator==(const TextOptions&, const TextOptions&) = default;
};

// A new value of `options.autogenerate` for a record written at `now` (PocketBase's datetime
// text; empty: the wall clock): a time-ordered id for a primary key with the default pattern,
// else a random value of the pattern ("" when there is none).
std::string autogenerate_text(const TextOptions& options, std::string_view now);

struct Collection;
// A new id for a record of `collection` chosen before its write (OAuth2 sign-up, GraphQL nested
// creates): autogenerate_text of its id field at the wall clock; "" when the id field generates
// nothing.
std::string new_id_of(const Collection& collection);

struct NumberOptions {
  std::optional<double> min;  // "min": null = none
  std::optional<double> max;  // "max": null = none
  bool only_int = false;      // "onlyInt"
  friend bool operator==(const NumberOptions&, const NumberOptions&) = default;
};

struct BoolOptions {
  friend bool operator==(const BoolOptions&, const BoolOptions&) = default;
};

struct EmailOptions {
  StringList except_domains;  // "exceptDomains"
  StringList only_domains;    // "onlyDomains"
  friend bool operator==(const EmailOptions&, const EmailOptions&) = default;
};

struct UrlOptions {
  StringList except_domains;  // "exceptDomains"
  StringList only_domains;    // "onlyDomains"
  friend bool operator==(const UrlOptions&, const UrlOptions&) = default;
};

struct EditorOptions {
  std::int64_t max_size = 0;  // "maxSize": bytes; 0 = 5 MiB
  bool convert_urls = false;  // "convertURLs"
  friend bool operator==(const EditorOptions&, const EditorOptions&) = default;
};

struct DateOptions {
  DateTime min;  // "min": "" = none
  DateTime max;  // "max": "" = none
  friend bool operator==(const DateOptions&, const DateOptions&) = default;
};

struct AutodateOptions {
  bool on_create = false;  // "onCreate"
  bool on_update = false;  // "onUpdate"
  friend bool operator==(const AutodateOptions&, const AutodateOptions&) = default;
};

struct SelectOptions {
  StringList values;            // "values"
  std::int64_t max_select = 0;  // "maxSelect": <= 1 = single value
  friend bool operator==(const SelectOptions&, const SelectOptions&) = default;
};

struct FileOptions {
  std::int64_t max_size = 0;    // "maxSize": bytes per file; 0 = 5 MiB
  std::int64_t max_select = 0;  // "maxSelect": <= 1 = single file
  StringList mime_types;        // "mimeTypes"
  StringList thumbs;            // "thumbs"
  bool is_protected = false;    // "protected"
  friend bool operator==(const FileOptions&, const FileOptions&) = default;
};

struct RelationOptions {
  std::string collection_id;    // "collectionId"
  bool cascade_delete = false;  // "cascadeDelete"
  std::int64_t min_select = 0;  // "minSelect"
  std::int64_t max_select = 0;  // "maxSelect": <= 1 = single id
  friend bool operator==(const RelationOptions&, const RelationOptions&) = default;
};

struct JsonOptions {
  std::int64_t max_size = 0;  // "maxSize": bytes; 0 = 1 MiB
  friend bool operator==(const JsonOptions&, const JsonOptions&) = default;
};

struct PasswordOptions {
  RegexPattern pattern;   // "pattern"
  std::int64_t min = 0;   // "min": minimum characters
  std::int64_t max = 0;   // "max": 0 = 71
  std::int64_t cost = 0;  // "cost": bcrypt cost; 0 = the auth module's default
  friend bool operator==(const PasswordOptions&, const PasswordOptions&) = default;
};

struct GeoPointOptions {
  friend bool operator==(const GeoPointOptions&, const GeoPointOptions&) = default;
};

// One alternative per FieldType, in enum order: FieldOptions::index() == FieldType.
using FieldOptions =
    std::variant<TextOptions, NumberOptions, BoolOptions, EmailOptions, UrlOptions, EditorOptions,
                 DateOptions, AutodateOptions, SelectOptions, FileOptions, RelationOptions,
                 JsonOptions, PasswordOptions, GeoPointOptions>;

static_assert(std::variant_size_v<FieldOptions> == kFieldTypeCount);

// The default options of `type` (a default-constructed alternative).
FieldOptions default_field_options(FieldType type);

}  // namespace basalt::schema
