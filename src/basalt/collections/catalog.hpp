// Catalog: an immutable snapshot of every collection definition, shared by all threads.
//
// Requests read the current snapshot without locks (CollectionService::catalog()); a schema
// change publishes a new snapshot, never edits one, so a request keeps a consistent view for
// its whole duration. `version` grows with every committed schema change: caches keyed on it
// (compiled rules) invalidate themselves.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "basalt/schema/collection.hpp"

namespace basalt::collections {

class Catalog {
 public:
  Catalog(std::vector<schema::Collection> collections, std::uint64_t version)
      : collections_(std::move(collections)), version_(version) {}

  // By exact id, else by case-insensitive name (as PocketBase's FindCollectionByNameOrId).
  const schema::Collection* find(std::string_view id_or_name) const noexcept;

  std::span<const schema::Collection> all() const noexcept { return collections_; }
  std::uint64_t version() const noexcept { return version_; }

 private:
  std::vector<schema::Collection> collections_;
  std::uint64_t version_;
};

}  // namespace basalt::collections
