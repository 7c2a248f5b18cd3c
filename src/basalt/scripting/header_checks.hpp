// The checks scripts' header names and values pass (custom routes' answers, middleware's
// headers, basalt.http.request): a name of letters, digits, '-' and '_' (1-128 bytes) and a
// value of at most 8 KiB without CR, LF or NUL, so no script can split a header or a message.
#pragma once

#include <algorithm>
#include <string_view>

namespace basalt::scripting {

inline constexpr std::size_t kMaxHeaderValueBytes = 8192;

inline bool is_header_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 128) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

inline bool is_header_value(std::string_view value) noexcept {
  return value.size() <= kMaxHeaderValueBytes &&
         std::none_of(value.begin(), value.end(),
                      [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

}  // namespace basalt::scripting
