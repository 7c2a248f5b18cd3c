#include "basalt/core/api_error.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <utility>

namespace basalt::core {
namespace {

struct StatusMessage {
  int status;
  std::string_view message;
};

// The one table of default error messages. The PocketBase contract (docs/api.md, "Errors") fixes
// 400, 401, 403, 404, 429 and 500; the others are ours, worded in the same sentence style.
constexpr StatusMessage kDefaultMessages[] = {
    {400, "Something went wrong while processing your request."},
    {401, "Missing or invalid authentication."},
    {403, "You are not allowed to perform this request."},
    {404, "The requested resource wasn't found."},
    {405, "Method not allowed."},
    {408, "Request timeout."},
    {413, "Request entity too large."},
    {429, "Too Many Requests."},
    {431, "Request header fields too large."},
    {500, "Something went wrong while processing your request."},
    {503, "Service unavailable, please retry later."},
};

const StatusMessage* find_message(int status) noexcept {
  for (const auto& row : kDefaultMessages) {
    if (row.status == status) return &row;
  }
  return nullptr;
}

}  // namespace

std::string_view default_error_message(int status) noexcept {
  if (const auto* row = find_message(status)) return row->message;
  // Statuses without their own sentence fall back to their class's generic one.
  return find_message(status >= 500 ? 500 : 400)->message;
}

ApiError::ApiError(int status, std::string message, boost::json::object data)
    : status_(status), message_(std::move(message)), data_(std::move(data)) {
  if (message_.empty()) message_ = std::string(default_error_message(status_));
}

ApiError::ApiError(int status) : ApiError(status, std::string()) {}

ApiError ApiError::bad_request(std::string message, boost::json::object data) {
  return ApiError(400, std::move(message), std::move(data));
}
ApiError ApiError::unauthorized(std::string message) {
  return ApiError(401, std::move(message));
}
ApiError ApiError::forbidden(std::string message) {
  return ApiError(403, std::move(message));
}
ApiError ApiError::not_found(std::string message) {
  return ApiError(404, std::move(message));
}

std::string ApiError::to_json() const {
  return error_json(status_, message_, &data_);
}

std::string error_json(int status, std::string_view message, const boost::json::object* data) {
  // Key order follows PocketBase's struct order: data, message, status.
  std::string out;
  out.reserve(64 + message.size());
  out += "{\"data\":";
  out += data && !data->empty() ? boost::json::serialize(*data) : std::string("{}");
  out += ",\"message\":";
  out += boost::json::serialize(boost::json::string_view(message.data(), message.size()));
  out += ",\"status\":";
  out += std::to_string(status);
  out += '}';
  return out;
}

}  // namespace basalt::core
