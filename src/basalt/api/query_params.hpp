// The query string of a request as name -> first value, percent-decoded (`+` is a space, as
// browsers and the SDK encode it). A malformed escape keeps its raw text.
#pragma once

#include <map>
#include <string>

#include "basalt/http/request.hpp"

namespace basalt::api {

using QueryParams = std::map<std::string, std::string, std::less<>>;

QueryParams query_params(const http::Request& request);

// The value of `name`, or `fallback` when absent.
std::string param_or(const QueryParams& params, std::string_view name, std::string fallback = {});

}  // namespace basalt::api
