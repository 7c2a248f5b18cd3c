// Internal to the schema module: auth collection options to and from JSON (collection_json.hpp
// describes the forms and the merge rules).
#pragma once

#include <boost/json/object.hpp>

#include "basalt/schema/auth_options.hpp"
#include "basalt/schema/collection_json.hpp"
#include "basalt/schema/json_reader.hpp"

namespace basalt::schema::detail {

// Reads the auth option keys of a collection object onto `options` (missing keys keep their
// value; OAuth2 providers merge element by element, as Go's decoder does).
void read_auth_options(JsonReader& in, AuthOptions& options);

// Appends the auth option keys, in PocketBase's order, to `out`.
void write_auth_options(const AuthOptions& options, JsonForm form, boost::json::object& out);

}  // namespace basalt::schema::detail
