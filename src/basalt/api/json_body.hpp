// The JSON object of a request body, for the handlers that take JSON (the server already
// bounded its size). An empty body is an empty object.
#pragma once

#include <boost/json/object.hpp>

#include "basalt/http/request.hpp"

namespace basalt::api {

// Throws core::ApiError 400 when the body is not a JSON object.
boost::json::object json_body(const http::Request& request);

// A string member of `body`, or "" when it is absent; 400 (with a field error under `key`)
// when it is present but not a string.
std::string string_member(const boost::json::object& body, std::string_view key);

}  // namespace basalt::api
