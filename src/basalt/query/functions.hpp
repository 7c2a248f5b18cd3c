// The functions a filter may call (docs/filters.md, PocketBase tools/search/token_functions.go), as
// one table of signatures that the parser checks calls against.
//
// Argument kinds follow PocketBase's token types: an "identifier" argument is anything written
// as an identifier, which includes macros and null/true/false; no known function takes a
// function call as an argument, although the grammar nests calls up to kMaxFunctionDepth.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "basalt/query/ast.hpp"

namespace basalt::query {

// Calls nest at most this deep, `f(g(h()))` being 3 (fexpr's scanner limit).
inline constexpr int kMaxFunctionDepth = 3;

// Bit set of the argument kinds a parameter accepts.
enum ArgKinds : std::uint8_t {
  kArgIdentifier = 1,  // Identifier, Null, Bool, Macro
  kArgText = 2,
  kArgNumber = 4,
  kArgCall = 8,
};

struct FunctionSignature {
  Function function;
  std::string_view name;
  std::uint8_t min_args;
  std::uint8_t max_args;
  // Accepted kinds of the first, the second, and every further argument.
  std::uint8_t first;
  std::uint8_t second;
  std::uint8_t rest;

  std::uint8_t accepts(std::size_t index) const noexcept {
    return index == 0 ? first : index == 1 ? second : rest;
  }
};

// nullptr when `name` (case-sensitive, as in PocketBase) is no known function.
const FunctionSignature* find_function(std::string_view name) noexcept;
const FunctionSignature& signature(Function function) noexcept;

// "an identifier or a number", for error messages.
std::string describe_arg_kinds(std::uint8_t kinds);

}  // namespace basalt::query
