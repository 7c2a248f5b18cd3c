// mutation_input: the arguments of a mutation root field as the record service's write bodies
// (docs/graphql.md, "Mutations"). The values are coerced argument values of the generated input
// types, whose fields are the collection's field names, so an `<c>_insert_input` or
// `<c>_set_input` object already is the REST JSON body of the write. `_inc` becomes the number
// modifier: `{views: 2}` is the body key `views+` with 2 (a negative number subtracts), which the
// record service applies to the stored value in the write's own transaction.
//
// Thread safety: pure functions.
#pragma once

#include <boost/json/object.hpp>

namespace basalt::graphql {

// The body of an update from the `_set` and `_inc` arguments in `args` (either may be absent or
// null). Throws FieldFailure (validation-failed) when one field is both set and incremented.
boost::json::object update_body(const boost::json::object& args);

// The `@request.body` an update's rule sees while choosing the records of `update_<c>(where)`:
// the `_set` values (an `_inc`'s result depends on each record, so it is left out here; the
// write itself checks the rule again with the real body).
boost::json::object update_selection_body(const boost::json::object& args);

}  // namespace basalt::graphql
