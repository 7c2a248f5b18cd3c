#include "basalt/schema/collection_validator.hpp"
#include "basalt/schema/graphql_names.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "basalt/schema/collection_checks.hpp"

namespace basalt::schema {
namespace {

using detail::CollectionCheck;
using detail::is_word;

constexpr std::int64_t kMaxIdLength = 100;
constexpr std::int64_t kMaxNameLength = 255;
constexpr std::int64_t kMaxFieldNameLength = 100;
constexpr std::int64_t kMaxFieldIdLength = 100;
constexpr std::int64_t kMaxHelpLength = 300;

// Field names that clash with filter literals or with keys the API adds to records.
constexpr std::array<std::string_view, 7> kExcludedFieldNames = {
    "null", "true", "false", "_rowid_", "collectionId", "collectionName", "expand"};
// Body keys of auth collections that are not fields.
constexpr std::array<std::string_view, 2> kReservedAuthFieldNames = {"passwordConfirm",
                                                                     "oldPassword"};

bool contains_via(std::string_view name) {
  std::string lower(name);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find("_via_") != std::string::npos;
}

FieldError via_error() {
  return make_error("validation_found_via", "The value cannot contain \"_via_\".");
}

std::string go_quote(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

// --- collection keys ---

void check_id(const CollectionCheck& check, const ErrorScope& out) {
  const Collection& c = check.collection;
  if (c.id.empty()) {
    out.add("id", error_required());
  } else if (!check.old) {
    if (length_out_of_range(c.id.size(), 1, kMaxIdLength)) {
      out.add("id", error_length(1, kMaxIdLength));
    } else if (!is_word(c.id)) {
      out.add("id", error_match());
    } else if (check.lookup.find_by_id(c.id)) {
      out.add("id", make_error("validation_invalid_or_existing_id",
                               "The model id is invalid or already exists."));
    }
  } else if (c.id != check.old->id) {
    out.add("id", error_values_mismatch());
  }
}

void check_system_and_type(const CollectionCheck& check, const ErrorScope& out) {
  if (!check.old) return;
  if (check.collection.system != check.old->system) {
    out.add("system", make_error("validation_collection_system_flag_change",
                                 "System collection state cannot be changed."));
  }
  if (check.collection.type != check.old->type) {
    out.add("type",
            make_error("validation_collection_type_change", "Collection type cannot be changed."));
  }
}

bool is_self(const CollectionCheck& check, const Collection& other) {
  return other.id == check.collection.id || (check.old && other.id == check.old->id);
}

void check_name(const CollectionCheck& check, const ErrorScope& out) {
  const Collection& c = check.collection;
  const std::string& name = c.name;
  if (name.empty()) return (void)out.add("name", error_required());
  if (length_out_of_range(name.size(), 1, kMaxNameLength)) {
    out.add("name", error_length(1, kMaxNameLength));
  }
  if (contains_via(name)) out.add("name", via_error());
  if (!is_word(name)) out.add("name", error_match());
  if (check.old && check.old->system && name != check.old->name) {
    out.add("name", make_error("validation_collection_system_name_change",
                               "System collection name cannot be changed."));
  }
  bool is_collection_name = false;
  for (const auto& other : check.lookup.collections) {
    if (is_self(check, other)) continue;
    if (iequals(other.name, name)) {
      is_collection_name = true;
      out.add("name", make_error("validation_collection_name_exists",
                                 "Collection name must be unique (case insensitive)."));
    }
    if (other.id == name) {
      out.add("name", make_error("validation_collection_name_id_duplicate",
                                 "The name must not match an existing collection id."));
    }
  }
  bool renamed = !check.old || check.old->name != name;
  // Only a new name is checked: a collection stored before the check keeps working (the GraphQL
  // schema leaves it out, docs/graphql.md "Names").
  if (renamed && is_word(name)) {
    if (auto problem = graphql_name_problem(name)) {
      out.add("name", make_error("validation_collection_name_graphql", std::move(*problem)));
    }
  }
  bool internal = name.size() >= 7 && iequals(std::string_view(name).substr(0, 7), "sqlite_");
  for (const auto& table : check.lookup.internal_tables)
    internal = internal || iequals(table, name);
  if (renamed && !is_collection_name && internal) {
    out.add("name", make_error("validation_collection_name_invalid",
                               "The name shouldn't match with an existing internal table."));
  }
}

// --- fields ---

void check_duplicates(const Collection& c, const ErrorScope& out) {
  for (std::size_t i = 0; i < c.fields.size(); ++i) {
    const Field& field = c.fields[i];
    ErrorScope item = out.nested(std::to_string(i));
    for (std::size_t k = 0; k < i; ++k) {
      if (c.fields[k].id == field.id) {
        item.add("id", make_error("validation_duplicated_field_id",
                                  "Duplicated or invalid field id " + go_quote(field.id)));
      }
      if (iequals(c.fields[k].name, field.name)) {
        item.add("name", make_error("validation_duplicated_field_name",
                                    "Duplicated or invalid field name {{.fieldName}}",
                                    {{"fieldName", field.name}}));
      }
    }
  }
}

// The fields every collection (and every auth collection) must have.
void check_required_fields(const Collection& c, const ErrorScope& out) {
  if (c.fields.empty()) return (void)out.add(ErrorPath{}, error_required());
  const Field* id = c.field_by_name(kFieldId);
  if (!id || !id->is_primary_key()) {
    out.add(ErrorPath{},
            make_error("validation_missing_primary_key", "Missing or invalid \"id\" PK field."));
  }
  if (!c.is_auth()) return;

  struct SystemField {
    std::string_view name;
    FieldType type;
    bool hidden;
  };
  constexpr std::array<SystemField, 5> kAuthFields = {{
      {kFieldPassword, FieldType::kPassword, true},
      {kFieldTokenKey, FieldType::kText, true},
      {kFieldEmail, FieldType::kEmail, false},
      {kFieldEmailVisibility, FieldType::kBool, false},
      {kFieldVerified, FieldType::kBool, false},
  }};
  for (const auto& required : kAuthFields) {
    const Field* field = c.field_by_name(required.name);
    if (!field || field->type() != required.type) {
      out.add(ErrorPath{},
              make_error("validation_missing_" + std::string(required.name) + "_field",
                         "System \"" + std::string(required.name) + "\" field is required."));
      return;
    }
    if (required.hidden && (!field->hidden || !field->system)) {
      out.add(required.name, make_error("validation_must_be_system_and_hidden",
                                        "The field must be marked as \"System\" and \"Hidden\"."));
    } else if (!field->system) {
      out.add(required.name,
              make_error("validation_must_be_system", "The field must be marked as \"System\"."));
    }
  }
}

void check_field_changes(const CollectionCheck& check, const ErrorScope& out) {
  const Collection& c = check.collection;
  if (!check.old || c.is_view()) return;
  for (const auto& old_field : check.old->fields) {
    if (!old_field.system) continue;
    const Field* field = c.field_by_id(old_field.id);
    if (!field || field->name != old_field.name) {
      out.add(ErrorPath{}, make_error("validation_system_field_change",
                                      "System fields cannot be deleted or renamed."));
      break;
    }
  }
  for (std::size_t i = 0; i < c.fields.size(); ++i) {
    const Field* old_field = check.old->field_by_id(c.fields[i].id);
    if (old_field && old_field->type() != c.fields[i].type()) {
      out.add(std::to_string(i),
              make_error("validation_field_type_change", "Field type cannot be changed."));
    }
  }
}

void check_common_field_keys(const Field& field, const ErrorScope& out) {
  if (field.id.empty()) {
    out.add("id", error_required());
  } else if (length_out_of_range(field.id.size(), 1, kMaxFieldIdLength)) {
    out.add("id", error_length(1, kMaxFieldIdLength));
  }

  const std::string& name = field.name;
  if (name.empty()) {
    out.add("name", error_required());
  } else if (length_out_of_range(name.size(), 1, kMaxFieldNameLength)) {
    out.add("name", error_length(1, kMaxFieldNameLength));
  } else if (!is_word(name)) {
    out.add("name", error_match());
  } else if (std::find(kExcludedFieldNames.begin(), kExcludedFieldNames.end(), name) !=
             kExcludedFieldNames.end()) {
    out.add("name", error_not_in());
  } else if (contains_via(name)) {
    out.add("name", via_error());
  }

  if (field.type() != FieldType::kAutodate &&
      length_out_of_range(field.help.size(), 1, kMaxHelpLength)) {
    out.add("help", error_length(1, kMaxHelpLength));
  }
}

void check_fields(const CollectionCheck& check, const ErrorScope& out,
                  const FieldTypeRegistry& registry) {
  const Collection& c = check.collection;
  check_duplicates(c, out);
  check_required_fields(c, out);
  check_field_changes(check, out);
  if (c.is_auth()) {
    for (std::size_t i = 0; i < c.fields.size(); ++i) {
      const std::string& name = c.fields[i].name;
      if (std::find(kReservedAuthFieldNames.begin(), kReservedAuthFieldNames.end(), name) !=
          kReservedAuthFieldNames.end()) {
        out.nested(std::to_string(i))
            .add("name", make_error("validation_reserved_field_name",
                                    "The field name is reserved and cannot be used."));
      }
    }
  }
  DefinitionContext context{c, check.old, check.lookup};
  for (std::size_t i = 0; i < c.fields.size(); ++i) {
    ErrorScope item = out.nested(std::to_string(i));
    check_common_field_keys(c.fields[i], item);
    registry.at(c.fields[i].type()).check_options(c.fields[i], context, item);
  }
}

// --- rules ---

void check_rules(const CollectionCheck& check, const ErrorScope& out) {
  const Collection& c = check.collection;
  const Collection* old = check.old;
  static const Rule kNoRule;
  detail::check_rule(check, out, "listRule", c.list_rule, old ? old->list_rule : kNoRule);
  detail::check_rule(check, out, "viewRule", c.view_rule, old ? old->view_rule : kNoRule);
  if (c.is_view()) {
    // View records are read-only: the write rules must stay locked.
    if (c.create_rule) out.add("createRule", error_nil());
    if (c.update_rule) out.add("updateRule", error_nil());
    if (c.delete_rule) out.add("deleteRule", error_nil());
  }
  detail::check_rule(check, out, "createRule", c.create_rule, old ? old->create_rule : kNoRule);
  detail::check_rule(check, out, "updateRule", c.update_rule, old ? old->update_rule : kNoRule);
  detail::check_rule(check, out, "deleteRule", c.delete_rule, old ? old->delete_rule : kNoRule);
}

}  // namespace

ValidationErrors validate_collection(const Collection& collection, const Collection* old,
                                     const CollectionLookup& lookup,
                                     const FieldTypeRegistry& registry) {
  ValidationErrors errors;
  ErrorScope root(errors, {});
  CollectionCheck check{collection, old, lookup};
  check_id(check, root);
  check_system_and_type(check, root);
  check_name(check, root);
  check_fields(check, root.nested("fields"), registry);
  check_rules(check, root);
  detail::check_indexes(check, root);
  if (collection.is_auth()) detail::check_auth_options(check, root);
  if (collection.is_view()) detail::check_view_options(check, root);
  return errors;
}

namespace detail {

bool is_word(std::string_view text) noexcept {
  if (text.empty()) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace detail
}  // namespace basalt::schema
