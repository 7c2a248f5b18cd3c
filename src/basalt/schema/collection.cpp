#include "basalt/schema/collection.hpp"

#include <array>

namespace basalt::schema {
namespace {

constexpr std::array<std::string_view, 3> kTypeNames = {"base", "auth", "view"};

char lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

std::string_view collection_type_name(CollectionType type) noexcept {
  return kTypeNames[static_cast<std::size_t>(type)];
}

std::optional<CollectionType> collection_type_from_name(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kTypeNames.size(); ++i) {
    if (kTypeNames[i] == name) return static_cast<CollectionType>(i);
  }
  return std::nullopt;
}

const Field* Collection::field_by_name(std::string_view field_name) const noexcept {
  for (const auto& field : fields) {
    if (field.name == field_name) return &field;
  }
  return nullptr;
}

Field* Collection::field_by_name(std::string_view field_name) noexcept {
  for (auto& field : fields) {
    if (field.name == field_name) return &field;
  }
  return nullptr;
}

const Field* Collection::field_by_id(std::string_view field_id) const noexcept {
  for (const auto& field : fields) {
    if (field.id == field_id) return &field;
  }
  return nullptr;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace basalt::schema
