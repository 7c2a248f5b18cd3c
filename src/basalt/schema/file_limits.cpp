#include "basalt/schema/file_limits.hpp"

#include <algorithm>
#include <limits>

namespace basalt::schema {

std::int64_t file_max_size(const FileOptions& options) noexcept {
  return options.max_size <= 0 ? kDefaultFileMaxSize : options.max_size;
}

std::int64_t file_max_select(const FileOptions& options) noexcept {
  return std::max<std::int64_t>(options.max_select, 1);
}

std::uint64_t record_body_limit(const Collection& collection) noexcept {
  // Each term is at most 2^53 (maxSize and maxSelect are capped there), so the sum of the
  // products is saturated rather than overflowing.
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t limit = kDefaultMaxBodySize;
  auto add = [&](std::uint64_t more) { limit = more > kMax - limit ? kMax : limit + more; };
  if (collection.is_view()) return limit;
  for (const Field& field : collection.fields) {
    if (const auto* file = std::get_if<FileOptions>(&field.options)) {
      const auto size = static_cast<std::uint64_t>(file_max_size(*file));
      const auto count = static_cast<std::uint64_t>(file_max_select(*file));
      add(size > kMax / count ? kMax : size * count);
    } else if (const auto* editor = std::get_if<EditorOptions>(&field.options)) {
      add(static_cast<std::uint64_t>(editor->max_size <= 0 ? kDefaultEditorMaxSize
                                                           : editor->max_size));
    } else if (const auto* json = std::get_if<JsonOptions>(&field.options)) {
      add(static_cast<std::uint64_t>(json->max_size <= 0 ? kDefaultJsonMaxSize : json->max_size));
    }
  }
  return limit;
}

}  // namespace basalt::schema
