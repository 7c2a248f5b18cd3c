// Validation of an executable document against a Schema: every rule of the October 2021
// specification's section 5 (docs/graphql.md, "Validation"), plus the request bounds that need
// fragments expanded (fields, aliases, depth, fragment spreads; Limits).
//
// The bounds are checked first, per operation: a document over any of them gets only those
// limit-exceeded errors, and the quadratic field-merging rule never runs on it. The merging rule
// has its own budget of field comparisons (Limits::max_merge_comparisons).
//
// Thread safety: a pure function of its arguments; the schema is only read.
#pragma once

#include <vector>

#include "basalt/graphql/ast.hpp"
#include "basalt/graphql/error.hpp"
#include "basalt/graphql/limits.hpp"
#include "basalt/graphql/schema.hpp"

namespace basalt::graphql {

// The document's errors in document order of discovery (at most Limits::max_errors); empty
// when the document is valid.
std::vector<Error> validate(const Document& document, const Schema& schema, const Limits& limits);

}  // namespace basalt::graphql
