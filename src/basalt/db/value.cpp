#include "basalt/db/value.hpp"

namespace basalt::db {

std::string_view value_kind(const Value& value) noexcept {
  constexpr std::string_view kKinds[] = {"null", "integer", "real", "text", "blob"};
  static_assert(std::size(kKinds) == std::variant_size_v<Value>);
  return kKinds[value.index()];
}

}  // namespace basalt::db
