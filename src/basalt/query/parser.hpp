// parse_filter: filter and rule text (docs/filters.md) to an Ast (ast.hpp).
//
// Grammar (tokens as in lexer.hpp; && binds tighter than ||):
//   filter     := or END
//   or         := and { '||' and }
//   and        := primary { '&&' primary }
//   primary    := '(' or ')' | comparison
//   comparison := operand OPERATOR operand
//   operand    := IDENTIFIER | TEXT | NUMBER | call
//   call       := FUNCTION [ operand { ',' operand } [ ',' ] ] ')'      (FUNCTION includes `(`)
// An IDENTIFIER operand is a Macro when it is one exactly (`@now`), a Null or Bool when it is
// null/true/false in any case, and otherwise an Identifier of the shapes in identifier.hpp.
//
// Errors: ParseError (parse_error.hpp) at the first problem, positioned at the offending byte.
// PocketBase rejects an empty or comment-only filter too; a caller that treats "" as "no
// filter" (list filters, the "" rule meaning "everyone") must check that before parsing.
//
// Cost: the Ast's arena (usually one block, holding the source copy, every node and any
// unescaped text) and two scratch vectors; nothing else is allocated. A typical 5-comparison
// rule parses in about a microsecond. Stack use grows with ParseLimits::max_depth (three
// frames per parenthesis level).
//
// Thread safety: parse_filter is reentrant; the returned Ast is immutable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "basalt/query/ast.hpp"

namespace basalt::query {

struct ParseLimits {
  static constexpr std::size_t kUnlimited = SIZE_MAX;
  static constexpr std::size_t kDefaultMaxDepth = 64;

  std::size_t max_length = 3500;             // bytes of text
  std::size_t max_leaves = 200;              // comparisons
  std::size_t max_depth = kDefaultMaxDepth;  // parentheses nested in parentheses

  // A list request's `filter` (docs/records.md, "Lists"; PocketBase MaxFilterLength,
  // DefaultFilterExprLimit).
  static constexpr ParseLimits client_filter() noexcept { return {3500, 200, kDefaultMaxDepth}; }
  // A collection rule. No length limit; PocketBase builds rules with the same
  // DefaultFilterExprLimit of 200 comparisons, so a rule over it fails there too.
  static constexpr ParseLimits stored_rule() noexcept {
    return {kUnlimited, 200, kDefaultMaxDepth};
  }
};

// Throws ParseError; see above.
Ast parse_filter(std::string_view text, const ParseLimits& limits = ParseLimits::client_filter());

}  // namespace basalt::query
