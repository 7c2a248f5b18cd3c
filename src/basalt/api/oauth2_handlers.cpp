#include "basalt/api/oauth2_handlers.hpp"

#include <spdlog/spdlog.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "basalt/api/query_params.hpp"
#include "basalt/api/request_auth.hpp"
#include "basalt/api/request_body.hpp"
#include "basalt/api/sign_in_response.hpp"
#include "basalt/auth/mfa_gate.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/http/method.hpp"
#include "basalt/oauth2/apple_client_secret.hpp"
#include "basalt/records/record_export.hpp"
#include "basalt/schema/go_json.hpp"

namespace basalt::api {
namespace {

namespace json = boost::json;

// Bounds of what a redirect may carry; beyond them it is a failed redirect.
constexpr std::size_t kMaxStateLength = 255;
constexpr std::size_t kMaxRedirectCodeLength = 4096;
constexpr std::size_t kMaxRedirectErrorLength = 1024;

// PocketBase's pages when it has no admin UI bundled (Basalt has none).
constexpr std::string_view kFailurePage =
    "Failed to authenticate. You can close this window and go back to the app to try again.";
constexpr std::string_view kSuccessPage =
    "Auth completed. You can close this window and go back to the app.";

struct RedirectData {
  std::string state;
  std::string code;
  std::string error;
  std::string user;  // Apple only: the user's name on the first sign-in (form_post)
};

RedirectData read_redirect(const http::Request& request) {
  RedirectData data;
  if (request.method() == http::Method::kPost) {
    RequestBody body = request_body(request);
    data.state = string_member(body, "state");
    data.code = string_member(body, "code");
    data.error = string_member(body, "error");
    data.user = string_member(body, "user");
  } else {
    QueryParams params = query_params(request);
    data.state = param_or(params, "state");
    data.code = param_or(params, "code");
    data.error = param_or(params, "error");
  }
  return data;
}

}  // namespace

boost::asio::awaitable<void> auth_with_oauth2(const Services& services,
                                              const auth::AuthContext& auth, http::Request& request,
                                              http::Response& response) {
  oauth2::OAuth2SignInRequest sign_in;
  sign_in.collection = std::string(request.param("collection"));
  RequestBody body = request_body(request);
  sign_in.provider = string_member(body, "provider");
  sign_in.code = string_member(body, "code");
  sign_in.code_verifier = string_member(body, "codeVerifier");
  sign_in.redirect_url = string_member(body, "redirectURL");
  if (sign_in.redirect_url.empty()) sign_in.redirect_url = string_member(body, "redirectUrl");
  if (const json::value* create = body.data.if_contains("createData")) {
    if (create->is_object()) {
      sign_in.create_data = create->get_object();
    } else if (!create->is_null()) {
      json::object data;
      data["createData"] = {{"code", "validation_invalid_value"},
                            {"message", "Must be an object."}};
      throw core::ApiError::bad_request("An error occurred while loading the submitted data.",
                                        std::move(data));
    }
  }
  sign_in.caller = caller_of(auth, request);
  oauth2::OAuth2SignInResult result = co_await services.oauth2.sign_in(std::move(sign_in));
  // The provider vouched and the authRule passed; MFA decides whether that is enough.
  SignedIn signed_in{std::move(result.catalog), result.collection, std::move(result.record),
                     auth::kMfaMethodOAuth2};
  signed_in.meta = &result.meta;
  signed_in.request_auth = &auth;
  co_await finish_sign_in(services, request, body, response, signed_in);
}

boost::asio::awaitable<void> oauth2_redirect(const Services& services, const auth::AuthContext&,
                                             http::Request& request, http::Response& response) {
  RedirectData data;
  bool readable = true;
  try {
    data = read_redirect(request);
  } catch (const core::ApiError&) {
    readable = false;
  }
  readable = readable && !data.state.empty() && data.state.size() <= kMaxStateLength &&
             data.code.size() <= kMaxRedirectCodeLength &&
             data.error.size() <= kMaxRedirectErrorLength;
  bool delivered = false;
  if (readable) {
    // Before the client hears of the code, so its sign-in with it finds the name.
    if (data.error.empty() && !data.code.empty() && !data.user.empty()) {
      services.oauth2.remember_apple_name(data.code, data.user);
    }
    json::object message{{"state", data.state}, {"code", data.code}};
    if (!data.error.empty()) message["error"] = data.error;
    const std::string text = json::serialize(message);
    delivered = co_await services.realtime.deliver_oauth2(data.state, text);
    if (!delivered) spdlog::debug("oauth2 redirect for no subscribed realtime client");
  }
  const bool success = delivered && data.error.empty() && !data.code.empty();
  if (success) {
    response.content(200, "text/html; charset=utf-8", kSuccessPage);
  } else {
    response.content(200, "text/plain; charset=utf-8", kFailurePage);
  }
}

boost::asio::awaitable<void> generate_apple_client_secret(const Services& services,
                                                          const auth::AuthContext&,
                                                          http::Request& request,
                                                          http::Response& response) {
  RequestBody body = request_body(request);
  oauth2::AppleSecretRequest secret;
  secret.client_id = string_member(body, "clientId");
  secret.team_id = string_member(body, "teamId");
  secret.key_id = string_member(body, "keyId");
  secret.private_key = string_member(body, "privateKey");
  if (const json::value* duration = body.data.if_contains("duration")) {
    if (duration->is_int64()) {
      secret.duration = duration->get_int64();
    } else if (duration->is_uint64() || duration->is_double()) {
      // Out of range either way: past the maximum, or not a whole number of seconds.
      secret.duration = oauth2::kMaxAppleSecretSeconds + 1;
    }
  }
  json::object out{{"secret", oauth2::apple_client_secret(secret, services.clock.now())}};
  response.json(200, json::serialize(out));
  co_return;
}

}  // namespace basalt::api
