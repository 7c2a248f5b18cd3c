// ASCII helpers the request parsers share (header names, percent escapes, entity references):
// byte by byte, whatever the locale (unlike <cctype>). Not part of the module's interface. One
// definition here, not a copy per file: the module's files are compiled in unity batches
// (cmake/BasaltBuild.cmake), where two helpers of the same name in anonymous namespaces collide.
#pragma once

#include <cstddef>
#include <string_view>

namespace basalt::http {

inline char ascii_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Case-insensitive equality of ASCII text (header names and tokens).
inline bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

// The value of a hexadecimal digit, -1 for any other byte.
inline int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  c = ascii_lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace basalt::http
