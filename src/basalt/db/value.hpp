// Value: one SQL value, as bound to a statement's parameter or read from a result column.
//
// The five alternatives are the storage classes every backend can represent: NULL, a 64-bit
// integer, a double, UTF-8 text and raw bytes. Booleans travel as 0/1 integers. Values are
// only ever bound as parameters, never spliced into SQL text (docs/architecture.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace basalt::db {

// Raw bytes, kept apart from text so that a driver binds them as a BLOB/bytea.
struct Blob {
  std::string bytes;
  bool operator==(const Blob&) const = default;
};

using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string, Blob>;

// Parameters of one statement; element i is bound to the placeholder Dialect::placeholder(i+1).
using Params = std::vector<Value>;

// A type that binds as one parameter: Value itself, integers up to int64 (bool as 0/1),
// double, std::string and const char*, Blob, nullptr.
template <typename T>
concept Bindable = std::is_constructible_v<Value, T>;

// Params from values given one by one: Params{a, b} written inside a co_await expression
// does not compile on GCC 12 ("array used as initializer", a bug with initializer lists in
// coroutines), so the variadic query/execute overloads build the list with this instead.
template <Bindable... Args>
Params make_params(Args&&... args) {
  Params params;
  params.reserve(sizeof...(Args));
  (params.emplace_back(std::forward<Args>(args)), ...);
  return params;
}

// "null", "integer", "real", "text" or "blob": the value's kind, for error messages.
std::string_view value_kind(const Value& value) noexcept;

}  // namespace basalt::db
