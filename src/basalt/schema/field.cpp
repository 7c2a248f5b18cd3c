#include "basalt/schema/field.hpp"

#include <array>

namespace basalt::schema {
namespace {

template <std::size_t... I>
constexpr auto make_default_factories(std::index_sequence<I...>) {
  return std::array<FieldOptions (*)(), sizeof...(I)>{
      +[]() -> FieldOptions { return FieldOptions(std::in_place_index<I>); }...};
}

constexpr auto kDefaultFactories =
    make_default_factories(std::make_index_sequence<std::variant_size_v<FieldOptions>>());

}  // namespace

const std::vector<std::string>& items(const StringList& list) noexcept {
  static const std::vector<std::string> kEmpty;
  return list ? *list : kEmpty;
}

FieldOptions default_field_options(FieldType type) {
  return kDefaultFactories[static_cast<std::size_t>(type)]();
}

std::optional<FieldType> field_type_from_name(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kFieldTypeNames.size(); ++i) {
    if (kFieldTypeNames[i] == name) return static_cast<FieldType>(i);
  }
  return std::nullopt;
}

bool Field::is_multiple() const noexcept {
  if (const auto* select = as<SelectOptions>()) return select->max_select > 1;
  if (const auto* relation = as<RelationOptions>()) return relation->max_select > 1;
  if (const auto* file = as<FileOptions>()) return file->max_select > 1;
  return false;
}

bool Field::is_primary_key() const noexcept {
  const auto* text = as<TextOptions>();
  return text && text->primary_key;
}

}  // namespace basalt::schema
