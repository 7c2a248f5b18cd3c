#include "basalt/api/request_body.hpp"

#include <charconv>

#include "basalt/core/api_error.hpp"
#include "basalt/http/form_body.hpp"

namespace basalt::api {
namespace {

namespace json = boost::json;

// Moves every dotted top-level key of a form body into nested objects, as Go's struct binding
// reads "meta.appName". A segment that already holds a non-object is replaced: the later,
// more specific name wins. Empty segments ("a..b", ".a") are kept as they are.
void nest_dotted_keys(json::object& data) {
  std::vector<std::string> dotted;
  for (const auto& member : data) {
    std::string_view key = member.key();
    if (key.find('.') != std::string_view::npos && key.front() != '.' && key.back() != '.' &&
        key.find("..") == std::string_view::npos) {
      dotted.emplace_back(key);
    }
  }
  for (const std::string& key : dotted) {
    json::value value = std::move(data.at(key));
    data.erase(key);
    json::object* target = &data;
    std::string_view rest = key;
    for (auto dot = rest.find('.'); dot != std::string_view::npos; dot = rest.find('.')) {
      json::value& slot = (*target)[rest.substr(0, dot)];
      if (!slot.is_object()) slot = json::object();
      target = &slot.as_object();
      rest.remove_prefix(dot + 1);
    }
    (*target)[rest] = std::move(value);
  }
}

// The text a form value was inferred from (inference only keeps numbers whose shortest
// fixed-point text is the sent text, so this is that text back).
std::optional<std::string> form_text(const json::value& value) {
  if (value.is_bool()) return value.get_bool() ? "true" : "false";
  if (value.is_int64()) return std::to_string(value.get_int64());
  if (value.is_double()) {
    char buffer[400];
    auto [end, ec] =
        std::to_chars(buffer, buffer + sizeof buffer, value.get_double(), std::chars_format::fixed);
    if (ec == std::errc()) return std::string(buffer, end);
  }
  return std::nullopt;
}

}  // namespace

http::FormBody request_form(const http::Request& request) {
  if (http::UploadSpool* spool = request.upload_spool()) return http::decode_spooled_form(*spool);
  return http::decode_form_body(request.header("Content-Type").value_or(""), request.body());
}

RequestBody request_body(const http::Request& request) {
  http::FormBody form =
      http::decode_form_body(request.header("Content-Type").value_or(""), request.body());
  RequestBody body{std::move(form.data), form.form_encoded};
  if (body.form_encoded) nest_dotted_keys(body.data);
  return body;
}

std::string string_member(const RequestBody& body, std::string_view key) {
  const json::value* value = body.data.if_contains(key);
  if (!value || value->is_null()) return {};
  if (value->is_string()) return std::string(value->get_string());
  if (body.form_encoded) {
    if (auto text = form_text(*value)) return std::move(*text);
  }
  json::object data;
  data[key] = {{"code", "validation_invalid_value"}, {"message", "Must be a string."}};
  throw core::ApiError::bad_request("An error occurred while validating the submitted data.",
                                    std::move(data));
}

}  // namespace basalt::api
