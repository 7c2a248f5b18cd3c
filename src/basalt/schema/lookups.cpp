#include "basalt/schema/lookups.hpp"

namespace basalt::schema {

const Collection* CollectionLookup::find_by_id(std::string_view id) const noexcept {
  for (const auto& collection : collections) {
    if (collection.id == id) return &collection;
  }
  return nullptr;
}

const Collection* CollectionLookup::find(std::string_view id_or_name) const noexcept {
  if (const Collection* by_id = find_by_id(id_or_name)) return by_id;
  for (const auto& collection : collections) {
    if (iequals(collection.name, id_or_name)) return &collection;
  }
  return nullptr;
}

}  // namespace basalt::schema
