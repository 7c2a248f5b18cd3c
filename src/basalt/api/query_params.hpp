// The query string of a request as name -> first value, percent-decoded (`+` is a space, as
// browsers and the SDK encode it). A malformed escape keeps its raw text.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "basalt/http/request.hpp"

namespace basalt::api {

using QueryParams = std::map<std::string, std::string, std::less<>>;

QueryParams query_params(const http::Request& request);

// The same for a raw query string (what follows '?'), e.g. a batch sub-request's URL.
QueryParams parse_query(std::string_view raw);

// %XX escapes decoded; `+` is a space only in a query string (`plus_is_space`), not in a path
// segment. A malformed escape keeps the raw text.
std::string percent_decode(std::string_view text, bool plus_is_space);

// The value of `name`, or `fallback` when absent.
std::string param_or(const QueryParams& params, std::string_view name, std::string fallback = {});

// An integer parameter (page, perPage): `fallback` when absent or empty; 400 when it is not a
// base-10 integer (docs/records.md, "Lists").
std::int64_t int_param(const QueryParams& params, std::string_view name, std::int64_t fallback);

// A boolean parameter as Go's strconv.ParseBool reads it (1, t, T, true, TRUE, True); anything
// else is false.
bool bool_param(const QueryParams& params, std::string_view name);

}  // namespace basalt::api
