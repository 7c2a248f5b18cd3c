#include "basalt/api/totp_handlers.hpp"

#include "basalt/api/request_auth.hpp"
#include "basalt/api/request_body.hpp"
#include "basalt/api/sign_in_response.hpp"
#include "basalt/auth/auth_rule.hpp"
#include "basalt/auth/mfa_gate.hpp"
#include "basalt/auth/password_sign_in.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/schema/field.hpp"

namespace basalt::api {
namespace {

namespace json = boost::json;

std::string required_member(const RequestBody& body, std::string_view key) {
  std::string value = string_member(body, key);
  if (value.empty()) {
    json::object data;
    data[key] = {{"code", "validation_required"}, {"message", "Cannot be blank."}};
    throw core::ApiError::bad_request("An error occurred while validating the submitted data.",
                                      std::move(data));
  }
  return value;
}

std::string_view record_id_of(const auth::AuthContext& auth) {
  return auth.record_id();
}

}  // namespace

boost::asio::awaitable<void> totp_status(const Services& services, const auth::AuthContext& auth,
                                         http::Request&, http::Response& response) {
  const std::string_view record_id = record_id_of(auth);
  const auth::TotpStatus status = co_await services.totp.status(*auth.collection, record_id);
  json::object body;
  body["enabled"] = status.enabled;
  body["pending"] = status.pending;
  body["recoveryCodesLeft"] = status.recovery_codes_left;
  response.json(200, json::serialize(body));
}

boost::asio::awaitable<void> totp_enroll(const Services& services, const auth::AuthContext& auth,
                                         http::Request&, http::Response& response) {
  const std::string issuer = services.settings.current()->meta.app_name;
  const auth::TotpEnrollment enrollment =
      co_await services.totp.enroll(*auth.collection, *auth.record, issuer);
  json::object body;
  body["secret"] = enrollment.secret;
  body["uri"] = enrollment.uri;
  response.json(200, json::serialize(body));
}

boost::asio::awaitable<void> totp_confirm(const Services& services, const auth::AuthContext& auth,
                                          http::Request& request, http::Response& response) {
  const RequestBody body = request_body(request);
  const std::string code = required_member(body, "code");
  const std::string_view record_id = record_id_of(auth);
  const std::vector<std::string> codes =
      co_await services.totp.confirm(*auth.collection, record_id, code);
  json::array list;
  for (const auto& item : codes) list.emplace_back(item);
  json::object answer;
  answer["recoveryCodes"] = std::move(list);
  response.json(200, json::serialize(answer));
}

boost::asio::awaitable<void> totp_disable(const Services& services, const auth::AuthContext& auth,
                                          http::Request& request, http::Response& response) {
  const RequestBody body = request_body(request);
  const std::string password = string_member(body, "password");
  const std::string_view client = client_ip(request);
  co_await services.totp.disable(*auth.collection, *auth.record, password, client);
  response.content(204, "", "");
}

boost::asio::awaitable<void> auth_with_totp(const Services& services, const auth::AuthContext& auth,
                                            http::Request& request, http::Response& response) {
  SignedIn signed_in;
  signed_in.catalog = services.collections.catalog();
  signed_in.collection =
      &auth::find_auth_collection(*signed_in.catalog, request.param("collection"));
  const schema::Collection& collection = *signed_in.collection;
  const RequestBody body = request_body(request);
  const std::string code = required_member(body, "code");
  const std::string mfa_id = request_mfa_id(request, body);
  // TOTP identifies the user only through the MFA session of its first method.
  const records::MfaRow session = co_await services.mfa.session(collection, mfa_id);
  std::optional<json::object> record =
      co_await services.records.find_auth_record_by_id(collection, session.record_ref);
  if (!record) {
    throw core::ApiError::bad_request("Invalid MFA session.");
  }
  co_await services.totp.verify(collection, session.record_ref, code);
  query::RequestInfo info;
  info.context = std::string(auth::kMfaMethodTotp);
  info.method = "POST";
  info.body = body.data;
  const auto now = services.clock.now();
  const records::Caller caller = caller_of(auth, request);
  const bool allowed =
      co_await auth::auth_rule_allows(services.database, services.plans, *signed_in.catalog,
                                      collection, *record, caller, info, now);
  if (!allowed) {
    throw core::ApiError::forbidden(
        "The request doesn't satisfy the collection requirements to authenticate.");
  }
  signed_in.record = std::move(*record);
  signed_in.method = auth::kMfaMethodTotp;
  signed_in.second_factor_only = true;
  signed_in.request_auth = &auth;
  co_await finish_sign_in(services, request, body, response, signed_in);
}

}  // namespace basalt::api
