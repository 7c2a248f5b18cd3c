// fold_with_null_joins: what a condition is, as far as it can be told without the database,
// when some joins found no row (every column of theirs is NULL). QueryBuilder asks it whether
// a semi-join needs its "no related record" branch (docs/query-compiler.md): for
// `author.permissions.active = true` the branch is `NULL = 1`, never true, and is left out;
// for `author.organization.name != 'x'` it is `NULL IS NOT 'x'`, always true.
//
// SQLite's three-valued logic: a comparison with NULL is NULL (IS / IS NOT excepted), NULL
// AND FALSE is FALSE, NULL OR TRUE is TRUE. Anything it cannot decide (a column of the record,
// a subquery, a function) is kUnknown, so the answer is only ever a safe simplification.
// Thread safety: pure.
#pragma once

#include <span>

#include "basalt/query/sql_node.hpp"

namespace basalt::query {

enum class Truth : unsigned char { kTrue, kFalse, kNull, kUnknown };

// `nulled`: the keys of the joins that found no row.
Truth fold_with_null_joins(const SqlNode& condition, std::span<const std::string_view> nulled);

}  // namespace basalt::query
