// The mutation half of a generated schema (docs/graphql.md, "Mutations"): for each collection
// a caller class could ever write, the root fields
//
//   insert_<c>(objects: [<c>_insert_input!]!): <c>_mutation_response      createRule
//   insert_<c>_one(object: <c>_insert_input!): <c>                          createRule
//   update_<c>(where: <c>_bool_exp!, _set: <c>_set_input, _inc: <c>_inc_input)
//       : <c>_mutation_response                                             updateRule
//   update_<c>_by_pk(id: String!, _set, _inc): <c>                          updateRule
//   delete_<c>(where: <c>_bool_exp!): <c>_mutation_response                 deleteRule
//   delete_<c>_by_pk(id: String!): <c>                                      deleteRule
//
// and the types `<c>_insert_input`, `<c>_set_input`, `<c>_inc_input` (number fields only; left
// out with `_inc` when the collection has none) and `<c>_mutation_response { affected_rows: Int!,
// returning: [<c>!]! }`. Guests and users get a root field only when its rule is not null;
// superusers get all of them. View collections are never written.
//
// Input fields carry a record's values as a REST JSON body does (the record service validates
// them): every field except autodate fields and an auth collection's tokenKey; relations as ids
// (String, or [String!] when multiple) in `_set_input`, and in `_insert_input` as
// `<target>_obj_rel_insert_input { id: String, data: <target>_insert_input }` (single) or
// `<target>_arr_rel_insert_input { ids: [String!], data: [<target>_insert_input!] }` (multiple),
// `data` only when the caller class may create records of the target (nested inserts); files as
// stored names (an update keeps the names it lists, as a REST JSON body does; uploads go through
// REST); geoPoint as JSON `{lon, lat}`. An auth collection's input also has `passwordConfirm`, and
// its `_set_input` `oldPassword`, which REST asks for when a password changes. Hidden fields can be
// written (as over REST) but are not read back by non-superusers.
#pragma once

#include <set>

#include "basalt/collections/catalog.hpp"
#include "basalt/graphql/generated_schema.hpp"

namespace basalt::graphql {

// Whether `collection` has any mutation root field for this caller class.
bool has_mutation_fields(const schema::Collection& collection, bool superuser) noexcept;

// Adds the mutation root type (when it has a field), its root fields (`out.mutations`) and their
// input and response types for every collection of `typed` (the collections whose object type
// the schema has). Call before Schema::finish().
void add_mutation_types(const collections::Catalog& catalog,
                        const std::set<const schema::Collection*>& typed, bool superuser,
                        GeneratedSchema& out);

}  // namespace basalt::graphql
