// Validation of a collection definition (core/collection_validate.go and the fields'
// ValidateSettings), returning every problem at once in the error shape of docs/api.md, "Errors",
// e.g.
//
//   {"name":   {"code":"validation_match_invalid","message":"Must be in a valid format."},
//    "fields": {"2":{"name":{"code":"validation_duplicated_field_name", ...}}},
//    "indexes":{"0":{"code":"validation_invalid_index_expression", ...}},
//    "passwordAuth":{"identityFields":{"code":"validation_missing_unique_constraint", ...}}}
//
// Invariants:
//   1. The collection has had its defaults applied (collection_defaults.hpp) and, for a view,
//      its fields resolved from the query by the caller.
//   2. Checks run in PocketBase's order; a key keeps its first error. Where PocketBase stops at
//      the first failing rule of a list (fields, indexes), every item's problems are reported,
//      unless a problem of the list as a whole was found first ("fields": missing "id" field).
//   3. Nothing here touches a database: other collections come from the CollectionLookup, and the
//      checks that need SQL (rule compilation, view dry run) are the lookup's optional hooks.
//
// Checks beyond PocketBase, where it relies on the database failing later:
//   - index statements must be a single well-formed CREATE INDEX whose plain columns exist;
//   - view queries must be a single SELECT statement before any dry run;
//   - rules are at most kMaxRuleLength bytes (PocketBase has no limit; this keeps a stored rule,
//     and the SQL built from it on every request, bounded far above what real schemas use).
#pragma once

#include <cstddef>

#include "basalt/schema/collection.hpp"
#include "basalt/schema/field_registry.hpp"
#include "basalt/schema/lookups.hpp"
#include "basalt/schema/validation_errors.hpp"

namespace basalt::schema {

inline constexpr std::size_t kMaxRuleLength = 10000;

// Validates `collection`; `old` is its stored version for an update, nullptr for a create.
// Empty result = valid.
ValidationErrors validate_collection(const Collection& collection, const Collection* old,
                                     const CollectionLookup& lookup,
                                     const FieldTypeRegistry& registry = builtin_field_types());

inline ValidationErrors validate_create(const Collection& collection,
                                        const CollectionLookup& lookup) {
  return validate_collection(collection, nullptr, lookup);
}

inline ValidationErrors validate_update(const Collection& old, const Collection& updated,
                                        const CollectionLookup& lookup) {
  return validate_collection(updated, &old, lookup);
}

}  // namespace basalt::schema
