#include "basalt/api/json_body.hpp"

#include <boost/json/parse.hpp>

#include "basalt/core/api_error.hpp"

namespace basalt::api {

boost::json::object json_body(const http::Request& request) {
  std::string_view body = request.body();
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return {};
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(body, ec);
  if (ec || !value.is_object()) {
    throw core::ApiError::bad_request(
        "Failed to read the submitted data: a JSON object is expected.");
  }
  return std::move(value.as_object());
}

std::string string_member(const boost::json::object& body, std::string_view key) {
  const boost::json::value* value = body.if_contains(key);
  if (!value || value->is_null()) return {};
  if (!value->is_string()) {
    boost::json::object data;
    data[key] = {{"code", "validation_invalid_value"}, {"message", "Must be a string."}};
    throw core::ApiError::bad_request("An error occurred while validating the submitted data.",
                                      std::move(data));
  }
  return std::string(value->as_string());
}

}  // namespace basalt::api
