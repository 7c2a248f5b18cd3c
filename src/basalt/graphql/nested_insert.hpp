// nested_insert: one object of `insert_<c>` / `insert_<c>_one` as the creates it takes
// (docs/graphql.md, "Nested inserts"). A relation field of `<c>_insert_input` names its related
// records by id or creates them in the same request:
//
//   {title: "Hi", author: {data: {name: "Ann"}}, tags: {ids: ["t1"], data: [{name: "new"}]}}
//     -> create users {id: u, name: "Ann"}; create tags {id: t, name: "new"};
//        create posts {title: "Hi", author: u, tags: ["t1", t]}
//
// A back-relation `<other>_via_<field>: {data: [...]}` creates records of `other` AFTER the
// object, each with `field` set to the object's id (which the request decides then).
//
// The related records come first (depth first, in field order), each a create of its own
// collection with that collection's createRule, validation and events, and each with its id
// decided here (the one `data` gives, else one generated from the collection's id pattern) so the
// record above can name it; the object's own create comes last. Every create is one operation of
// the request's batch, so a nested record that fails rolls back the whole request.
//
// Bounds: nesting at most kMaxNestedInsertDepth levels below the root object; at most
// `max_creates` creates in `out` (the room left under the request's write bound), checked as each
// is planned, so an input never costs more than that bound.
// Thread safety: a pure function (the generated ids come from libsodium's randomness).
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <string>
#include <vector>

#include "basalt/collections/catalog.hpp"

namespace basalt::graphql {

// As REST expand's depth and the query side's relation nesting.
inline constexpr std::size_t kMaxNestedInsertDepth = 6;

struct PlannedCreate {
  const schema::Collection* collection = nullptr;
  boost::json::object body;  // the REST body: relations as ids
};

// Appends the creates of `object` (a coerced `<collection>_insert_input` value) to `out` and
// returns the index of the object's own create there (its back-relation records follow it). Throws
// FieldFailure (validation-failed: both `id` and `data` given, a collection whose ids are not
// generated; limit-exceeded: nested too deep, more than `max_creates` creates).
std::size_t plan_nested_creates(const collections::Catalog& catalog,
                                const schema::Collection& collection,
                                const boost::json::object& object, std::size_t max_creates,
                                std::vector<PlannedCreate>& out, std::size_t depth = 0);

}  // namespace basalt::graphql
