#include "basalt/api/impersonate_handler.hpp"
#include "basalt/api/request_auth.hpp"

#include "basalt/api/request_body.hpp"
#include "basalt/api/sign_in_response.hpp"
#include "basalt/auth/auth_rule.hpp"
#include "basalt/auth/password_sign_in.hpp"
#include "basalt/auth/static_token.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/schema/field.hpp"

namespace basalt::api {
namespace {

namespace json = boost::json;

// The body's duration: absent or null is 0; a whole number (a form value arrives inferred as a
// number) in range, else 400 as PocketBase's form validation answers.
std::int64_t duration_of(const RequestBody& body) {
  const json::value* value = body.data.if_contains("duration");
  if (!value || value->is_null()) return 0;
  std::int64_t seconds = 0;
  if (value->is_int64()) {
    seconds = value->get_int64();
  } else if (value->is_uint64() && value->get_uint64() <= auth::kMaxStaticTokenSeconds) {
    seconds = static_cast<std::int64_t>(value->get_uint64());
  } else if (value->is_double() &&
             value->get_double() ==
                 static_cast<double>(static_cast<std::int64_t>(value->get_double()))) {
    seconds = static_cast<std::int64_t>(value->get_double());
  } else {
    json::object data;
    data["duration"] = {{"code", "validation_invalid_value"}, {"message", "Invalid value."}};
    throw core::ApiError::bad_request("An error occurred while loading the submitted data.",
                                      std::move(data));
  }
  if (seconds < 0 || seconds > auth::kMaxStaticTokenSeconds) {
    json::object data;
    data["duration"] =
        seconds < 0
            ? json::object{{"code", "validation_min_greater_equal_than_required"},
                           {"message", "Must be no less than 0."}}
            : json::object{{"code", "validation_max_less_equal_than_required"},
                           {"message", "Must be no greater than " +
                                           std::to_string(auth::kMaxStaticTokenSeconds) + "."}};
    throw core::ApiError::bad_request("An error occurred while validating the submitted data.",
                                      std::move(data));
  }
  return seconds;
}

}  // namespace

boost::asio::awaitable<void> impersonate(const Services& services, const auth::AuthContext& auth,
                                         http::Request& request, http::Response& response) {
  const auto catalog = services.collections.catalog();
  const schema::Collection& collection =
      auth::find_auth_collection(*catalog, request.param("collection"));
  const std::string id(request.param("id"));
  std::optional<json::object> record =
      co_await services.records.find_auth_record_by_id(collection, id);
  if (!record) throw core::ApiError::not_found();
  const RequestBody body = request_body(request);
  const std::int64_t duration = duration_of(body);
  query::RequestInfo info;
  info.method = "POST";
  info.body = body.data;
  const auto now = services.clock.now();
  // The caller is a superuser (the route's access), whom PocketBase's CanAccessRecord lets
  // through whatever the authRule: kept as a call so the rule stays in one place.
  const records::Caller caller = caller_of(auth, request);
  const bool allowed = co_await auth::auth_rule_allows(services.database, services.plans, *catalog,
                                                       collection, *record, caller, info, now);
  if (!allowed) {
    throw core::ApiError::forbidden(
        "The request doesn't satisfy the collection requirements to authenticate.");
  }
  const std::string token = auth::issue_static_auth_token(collection, *record, now, duration);
  write_auth_response(response, collection, *record, token);
}

}  // namespace basalt::api
