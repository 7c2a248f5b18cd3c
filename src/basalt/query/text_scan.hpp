// Byte classes and the error exit shared by the lexer, the parsers and the SQLite value readers.
// Not part of the module's interface. One definition here, not a copy per file: the module's
// files are compiled in unity batches (cmake/BasaltBuild.cmake), where two helpers of the same
// name in anonymous namespaces would collide.
#pragma once

#include <cstddef>
#include <string>
#include <utility>

#include "basalt/query/parse_error.hpp"

namespace basalt::query {

// ASCII only, whatever the locale (unlike <cctype>).
inline bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}
inline bool is_blank(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
inline bool is_alnum(char c) noexcept {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// How the lexer and the parsers reject their input (the contract in parse_error.hpp).
[[noreturn]] inline void fail(ParseErrorCode code, std::size_t position, std::string message) {
  throw ParseError(code, position, std::move(message));
}

}  // namespace basalt::query
