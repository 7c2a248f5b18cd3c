#include "basalt/api/auth_handlers.hpp"

#include <algorithm>
#include <boost/json/object.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "basalt/api/request_auth.hpp"
#include "basalt/api/request_body.hpp"
#include "basalt/api/sign_in_response.hpp"
#include "basalt/auth/auth_context.hpp"
#include "basalt/auth/mfa_gate.hpp"
#include "basalt/auth/password_sign_in.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/oauth2/auth_methods.hpp"
#include "basalt/schema/go_json.hpp"

namespace basalt::api {
namespace {

namespace json = boost::json;

constexpr std::string_view kPasswordMethod = "password";

// The collection snapshot a handler works on, held for the whole request.
struct AuthCollection {
  std::shared_ptr<const collections::Catalog> catalog;
  const schema::Collection* collection;
};

AuthCollection auth_collection(const Services& services, const http::Request& request) {
  auto catalog = services.collections.catalog();
  const schema::Collection& collection =
      auth::find_auth_collection(*catalog, request.param("collection"));
  return {std::move(catalog), &collection};
}

}  // namespace

boost::asio::awaitable<void> auth_with_password(const Services& services,
                                                const auth::AuthContext& auth,
                                                http::Request& request, http::Response& response) {
  auth_collection(services, request);  // 404 before the body is looked at
  auth::SignInRequest sign_in;
  sign_in.collection = std::string(request.param("collection"));
  RequestBody body = request_body(request);
  sign_in.identity = string_member(body, "identity");
  sign_in.password = string_member(body, "password");
  sign_in.identity_field = string_member(body, "identityField");
  sign_in.body = body.data;
  sign_in.client_ip = std::string(client_ip(request));
  sign_in.caller = caller_of(auth, request);
  auth::SignInResult result = co_await services.sign_in.sign_in(std::move(sign_in));
  // The password passed; MFA decides whether it is enough.
  SignedIn signed_in{std::move(result.catalog), result.collection, std::move(result.record),
                     auth::kMfaMethodPassword};
  signed_in.request_auth = &auth;
  co_await finish_sign_in(services, request, body, response, signed_in);
}

boost::asio::awaitable<void> auth_refresh(const Services& services, const auth::AuthContext& auth,
                                          http::Request& request, http::Response& response) {
  // The route's access (kAuthRecord) has checked that the token is of this collection (and
  // answered 403 for a record its collection's authRule refuses, as PocketBase does).
  AuthCollection target = auth_collection(services, request);
  std::string token;
  if (auth.claims.refreshable) {
    token = auth::issue_auth_token(*target.collection, *auth.record, services.clock.now());
  } else {
    auto header = request.header("Authorization").value_or("");
    token = std::string(header.substr(header.find_last_of(' ') + 1));
  }
  write_auth_response(response, *target.collection, *auth.record, token);
  co_return;
}

boost::asio::awaitable<void> auth_methods(const Services& services, const auth::AuthContext&,
                                          http::Request& request, http::Response& response) {
  AuthCollection target = auth_collection(services, request);
  const schema::AuthOptions& options = target.collection->auth;
  const auto& identity = schema::items(options.password_auth.identity_fields);
  auto has = [&](std::string_view name) {
    return std::find(identity.begin(), identity.end(), name) != identity.end();
  };
  json::array fields;
  for (const auto& name : identity) fields.emplace_back(name);
  json::object body;
  body["password"] = {{"identityFields", fields}, {"enabled", options.password_auth.enabled}};
  json::array providers = oauth2::auth_method_providers(*target.collection);
  const bool oauth2_enabled = options.oauth2.enabled;
  body["oauth2"] = {{"providers", providers}, {"enabled", oauth2_enabled}};
  // As PocketBase: a duration only while the method is on.
  const schema::MfaConfig& mfa = options.mfa;
  body["mfa"] = {{"enabled", mfa.enabled}, {"duration", mfa.enabled ? mfa.duration : 0}};
  const schema::OtpConfig& otp = options.otp;
  body["otp"] = {{"enabled", otp.enabled}, {"duration", otp.enabled ? otp.duration : 0}};
  // Legacy keys older SDKs read.
  body["authProviders"] = oauth2_enabled ? std::move(providers) : json::array();
  body["usernamePassword"] = options.password_auth.enabled && has("username");
  body["emailPassword"] = options.password_auth.enabled && has(schema::kFieldEmail);
  response.json(200, schema::serialize_go_json(body));
  co_return;
}

}  // namespace basalt::api
