// What schema validation needs to know about stored data, asked of the caller.
//
// The schema module knows no database. Definition validation reads a CollectionLookup (a snapshot
// of the other collections plus optional checks the caller can run); record validation asks a
// RecordLookup whether related records exist. Both are passed in per call and only borrowed.
// A CollectionLookup is the validator's read-only view for one call; the shared, versioned
// snapshot of every collection that requests read is collections::Catalog, a different thing.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "basalt/schema/collection.hpp"

namespace basalt::schema {

// Returns an error text when `rule` does not compile against `collection`, nullopt when it
// does. The text is shown to the client after "Invalid rule. Raw error: ".
using RuleCheck =
    std::function<std::optional<std::string>(const Collection& collection, std::string_view rule)>;
// Returns an error text when a view query fails a dry run, nullopt when it runs.
using ViewQueryCheck = std::function<std::optional<std::string>(std::string_view query)>;
// True when `name` is a known OAuth2 provider.
using OAuth2ProviderCheck = std::function<bool(std::string_view name)>;

struct CollectionLookup {
  // Every stored collection (including the one being updated, in its stored form). For an
  // import, the collections being imported too, so that they may reference each other.
  std::span<const Collection> collections;
  // Names of tables that are not collections (_collections, _params, _migrations, ...).
  std::span<const std::string> internal_tables;
  // Optional checks; an empty function skips the check.
  RuleCheck check_rule;
  ViewQueryCheck check_view_query;
  OAuth2ProviderCheck is_oauth2_provider;

  // By exact id, else by case-insensitive name; nullptr when absent.
  const Collection* find(std::string_view id_or_name) const noexcept;
  // By exact id only.
  const Collection* find_by_id(std::string_view id) const noexcept;
};

// Existence checks against stored records. Called on the validating thread; implementations
// read through whatever connection that thread owns.
class RecordLookup {
 public:
  virtual ~RecordLookup() = default;

  // How many of `ids` (distinct, non-empty) exist in the collection whose id is
  // `collection_id`; nullopt when that collection does not exist.
  virtual std::optional<std::size_t> count_existing(std::string_view collection_id,
                                                    std::span<const std::string> ids) = 0;

  // Whether a record with primary key `id` exists in `collection`, comparing case-insensitively
  // when `ignore_case` (PocketBase does so for custom id patterns).
  virtual bool id_exists(const Collection& collection, std::string_view id, bool ignore_case) = 0;
};

}  // namespace basalt::schema
