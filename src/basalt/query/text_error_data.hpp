// Where a client's filter or sort text went wrong, as the `data` of the API's 400 (a Basalt
// extension of PocketBase's error body, docs/api.md "Where a filter went wrong"):
// {<key>: {code, message, position[, length]}}, position and length in bytes of the text.
// `key` names the parameter ("filter", "sort"). The callers decide who may see a resolve
// error's details (they can reveal the schema).
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "basalt/query/parse_error.hpp"
#include "basalt/query/resolve_error.hpp"

namespace basalt::query {

boost::json::object text_error_data(std::string_view key, const ParseError& error);
boost::json::object text_error_data(std::string_view key, const ResolveError& error);

}  // namespace basalt::query
