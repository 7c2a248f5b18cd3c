// The shape rules for identifiers (docs/filters.md), shared by filters and sorts.
//
// An identifier token is split at `.` into segments; a segment may end in `:name`.
//   - no segment is empty (`a..b`, `a.`, `a.:each` are errors), and a lone `_`, `@` or `#` is
//     no identifier (as in fexpr);
//   - only the last segment takes a modifier, at most one, and it must be a known one
//     (`:each`, `:isset`, `:length`, `:lower`, `:changed`);
//   - `@request.context` and `@request.method` stand alone (no path, no modifier);
//     `@request.auth|body|query|headers` need at least one more segment;
//   - `@collection.<name>[:<alias>].<path...>`: the `:` on the name segment is an alias, not a
//     modifier, and at least one path segment follows;
//   - any other `@...` or `#...` is an unknown identifier.
// Macros (`@now`, ...) and null/true/false are not identifiers here: callers look for them
// first (see parser.cpp), since a sort treats them differently from a filter.
#pragma once

#include <cstdint>
#include <string_view>

#include "basalt/query/arena.hpp"
#include "basalt/query/ast.hpp"

namespace basalt::query {

// Parses `text`, the bytes of one identifier token found at byte `offset` of the source, into
// an Identifier whose path array lives in `arena` and whose strings point into `text`.
// Throws ParseError (kInvalidIdentifier or kInvalidModifier) positioned at the offending
// byte.
Identifier parse_identifier(std::string_view text, std::uint32_t offset, Arena& arena);

}  // namespace basalt::query
