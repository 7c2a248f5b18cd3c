// Internal to the schema module: the parts of collection validation that live outside
// collection_validator.cpp. Each writes into the scope it is given and follows the invariants
// of collection_validator.hpp.
#pragma once

#include <string_view>

#include "basalt/schema/collection.hpp"
#include "basalt/schema/lookups.hpp"
#include "basalt/schema/validation_errors.hpp"

namespace basalt::schema::detail {

struct CollectionCheck {
  const Collection& collection;
  const Collection* old;  // nullptr on create
  const CollectionLookup& lookup;
};

// A rule: length limit, compilation (lookup hook), and no change on a system collection.
// `old_rule` is the stored value (ignored on create).
void check_rule(const CollectionCheck& check, const ErrorScope& out, std::string_view key,
                const Rule& rule, const Rule& old_rule);

// The "indexes" key.
void check_indexes(const CollectionCheck& check, const ErrorScope& out);

// The auth option keys (authRule ... confirmEmailChangeTemplate).
void check_auth_options(const CollectionCheck& check, const ErrorScope& out);

// The "viewQuery" key.
void check_view_options(const CollectionCheck& check, const ErrorScope& out);

// Go's ^\w+$ (ASCII letters, digits, underscore; non-empty).
bool is_word(std::string_view text) noexcept;

}  // namespace basalt::schema::detail
