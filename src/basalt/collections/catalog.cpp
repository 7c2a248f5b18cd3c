#include "basalt/collections/catalog.hpp"

namespace basalt::collections {

const schema::Collection* Catalog::find(std::string_view id_or_name) const noexcept {
  for (const auto& collection : collections_) {
    if (collection.id == id_or_name) return &collection;
  }
  for (const auto& collection : collections_) {
    if (schema::iequals(collection.name, id_or_name)) return &collection;
  }
  return nullptr;
}

}  // namespace basalt::collections
