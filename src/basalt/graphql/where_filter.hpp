// where_filter: a `<c>_bool_exp` argument value into the filter language's AST (query/ast.hpp),
// the same tree parse_filter() makes of a REST `filter`, so it goes through the same resolver,
// lowering and SQL printer (docs/graphql.md, "where").
//
//   {title: {_eq: "a"}, author: {name: {_ilike: "an"}}}   title = "a" && author.name ~ "an"
//   {_or: [{views: {_gt: 5}}, {_not: {tags: {_contains: "x"}}}]}
//                                                          views > 5 || tags:each != "x"
//   {data: {_path: "a.b", _eq: 1}}                         data.a.b = 1
//   {loc: {_distance: {lon: 1, lat: 2, _lt: 25}}}          geoDistance(loc.lon, loc.lat, 1, 2) < 25
//
// The filter language has no NOT: `_not` is pushed down to the comparisons (De Morgan; each
// operator flips to its complement, and a "some value" operator `?=` to the "every value" `!=`
// and back). Comparisons on a path through a multiple relation use the "some value" operators,
// so `tags: {name: {_eq: "x"}}` holds when at least one related record matches (each comparison
// on its own: two comparisons under one multiple relation may be met by two different records).
//
// Bounded as a REST filter is: at most kMaxWhereComparisons comparisons (std::length_error
// past it). The value must be a coerced argument value of the generated `<c>_bool_exp` type
// (validation and coercion already checked its shape); an unknown key is std::invalid_argument.
// Thread safety: a pure function.
#pragma once

#include <optional>

#include "basalt/collections/catalog.hpp"
#include "basalt/query/ast.hpp"

namespace boost::json {
class object;
}  // namespace boost::json

namespace basalt::graphql {

// A REST filter's bound (query::ParseLimits::client_filter().max_leaves).
inline constexpr std::size_t kMaxWhereComparisons = 200;
// The longest `_path` of a JSON comparison (a REST filter holds at most 3,500 bytes in all).
inline constexpr std::size_t kMaxJsonPathBytes = 512;

// nullopt when the expression sets no condition (`{}`, or only null operators).
std::optional<query::Ast> where_to_ast(const boost::json::object& where,
                                       const schema::Collection& collection,
                                       const collections::Catalog& catalog);

}  // namespace basalt::graphql
