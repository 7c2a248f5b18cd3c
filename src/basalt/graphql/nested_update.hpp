// nested_update: the relation fields of an update's `_set` (docs/graphql.md, "Nested updates").
// In `<c>_set_input` a relation is `<target>_obj_rel_update_input { id, _set, _inc }` (single)
// or `<target>_arr_rel_update_input { ids, _set, _inc }` (multiple): `id` / `ids` set the
// relation as a REST body does; `_set` / `_inc` update the related record(s) — the ones named
// there, else the ones the record names now — in the same batch, after the record itself, each
// with its target collection's updateRule, validation and events.
//
// Thread safety: pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "basalt/collections/catalog.hpp"

namespace basalt::graphql {

struct RelatedUpdate {
  const schema::Collection* target = nullptr;
  const schema::Field* field = nullptr;  // the relation of the record being updated
  boost::json::object args;              // `_set` / `_inc` of the related records
  // The related ids `id` / `ids` gave; nullopt: the ones the record names now.
  std::optional<std::vector<std::string>> ids;
};

// `args` (an update root field's) with every relation object in `_set` replaced by its `id` /
// `ids` (or left out when it gives none); the related updates they ask for appended to `out`.
// Throws FieldFailure (validation-failed) for a relation object that is neither.
boost::json::object split_related_updates(const collections::Catalog& catalog,
                                          const schema::Collection& collection,
                                          const boost::json::object& args,
                                          std::vector<RelatedUpdate>& out);

}  // namespace basalt::graphql
