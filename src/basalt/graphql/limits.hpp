// Limits: the bounds every GraphQL request is held to before anything runs (docs/graphql.md,
// "Limits"). The HTTP layer fills them from the settings; each violation is answered with a
// `limit-exceeded` error naming the limit, never a crash or an unbounded amount of work.
#pragma once

#include <cstddef>
#include <cstdint>

namespace basalt::graphql {

struct Limits {
  // Bytes of the document text; checked before the first token is read.
  std::size_t max_document_bytes = 64 * 1024;
  // Tokens the lexer hands out (punctuation, names, values; not comments or commas).
  std::size_t max_tokens = 20'000;
  // Nesting of fields: the root fields of an operation are at depth 1. Checked while parsing
  // (before a selection set is entered) and again with fragments expanded.
  std::uint32_t max_depth = 12;
  // Syntactic nesting of everything else the parser recurses into: selection sets (inline
  // fragments included), list and object values, list types. Keeps the parser's stack bounded.
  std::uint32_t max_nesting = 64;
  // Fields an operation selects with its fragments expanded (a fragment spread twice counts
  // twice), __typename included.
  std::size_t max_fields = 1'000;
  // Aliased fields an operation selects, fragments expanded.
  std::size_t max_aliases = 100;
  // Items of one list literal, and of one list in the variables.
  std::size_t max_list_items = 1'000;
  // Fragment spreads expanded while counting an operation (each time one is reached). Also
  // bounds how deep the rules that expand fragments recurse: keep it in the thousands.
  std::size_t max_fragment_spreads = 1'000;
  // Comparisons the field-merging rule may make for one document; the rule is quadratic in the
  // distinct fields that share a response name (identical ones are compared once), so it gets
  // its own budget.
  std::size_t max_merge_comparisons = 100'000;
  // Errors reported for one document; validation stops at this many.
  std::size_t max_errors = 100;
};

}  // namespace basalt::graphql
