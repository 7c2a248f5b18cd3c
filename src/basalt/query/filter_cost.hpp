// filter_cost: what a resolved filter or sort will cost per record, estimated before it runs,
// so that a client's filter whose work multiplies through multi-valued relations is refused
// instead of holding a read thread for its whole time budget (docs/security.md, "Reads").
//
// The estimate counts row visits per record of the listed collection:
//   rows  = the product of the fan-outs of every join the plans make (joins with one key are
//           one join, as QueryBuilder shares them); a multi-valued relation, select or file
//           field fans out by its maxSelect, a back-relation by kAssumedBackRelationFanOut,
//           a single relation by 1;
//   terms = one per comparison (and per sort term and list-rule check), plus, for a plain
//           (not `?`) operator on a multi-valued operand, the rows of its all-of subquery,
//           which runs per joined row;
//   cost  = rows * terms, saturating at UINT64_MAX.
// So `links.links.title = 'x'` over a relation with maxSelect m costs m^2 * (1 + m^2), and
// `links.links.title ?= 'x'` m^2.
//
// Read-only over the Plan and its SqlSource/SqlNode structures; thread-safe.
#pragma once

#include <cstdint>
#include <span>

#include "basalt/query/plan.hpp"
#include "basalt/schema/collection.hpp"

namespace basalt::query {

// A back-relation (or any join by a column that is not the target's id) has no declared bound.
inline constexpr std::uint64_t kAssumedBackRelationFanOut = 100;
// A json_each over something other than a select, file or relation field.
inline constexpr std::uint64_t kAssumedArrayFanOut = 100;

// The most a non-superuser's list filter and sort may cost together. Lets through one
// multi-valued hop of PocketBase's default maxSelect 999 (`tags.name = 'x'`: about 10^6) several
// times over, or two with any-of operators (`a.b.name ?= 'x'`: 999^2), or six hops of
// maxSelect 2 (`links.links.links.links.links.links.title = 'x'`: 64 * 65); refuses two
// all-of hops of 999, or six of 5.
inline constexpr std::uint64_t kMaxClientCost = 10'000'000;

// The cost of running every plan in `plans` together (the filter and sort of one list; all of
// one collection). `collections` must hold every collection the plans join.
std::uint64_t estimate_cost(std::span<const Plan* const> plans,
                            std::span<const schema::Collection> collections);

}  // namespace basalt::query
