#include "basalt/api/sign_in_response.hpp"

#include <atomic>

#include <spdlog/spdlog.h>

#include "basalt/api/client_address.hpp"
#include "basalt/api/query_params.hpp"
#include "basalt/api/request_auth.hpp"
#include "basalt/api/sign_in_hooks_slot.hpp"
#include "basalt/auth/auth_context.hpp"
#include "basalt/auth/mfa_gate.hpp"
#include "basalt/records/record_export.hpp"
#include "basalt/schema/go_json.hpp"

namespace basalt::api {

namespace json = boost::json;

namespace {

std::atomic<auth::SignInHooks*> installed_sign_in_hooks{nullptr};

// The owner sees its email; superusers also see their hidden fields.
records::Visibility auth_response_visibility(const schema::Collection& collection) {
  return records::Visibility{collection.name == "_superusers", true};
}

// What a sign-in hook sees as the identity the client used: the password method's identity,
// the OTP's id, the OAuth2 provider; "" for TOTP (the record says who).
std::string sign_in_identity(std::string_view method, const RequestBody& body) {
  if (method == auth::kMfaMethodPassword) return string_member(body, "identity");
  if (method == auth::kMfaMethodOtp) return string_member(body, "otpId");
  if (method == auth::kMfaMethodOAuth2) return string_member(body, "provider");
  return {};
}

}  // namespace

void set_sign_in_hooks(auth::SignInHooks* hooks) noexcept {
  installed_sign_in_hooks.store(hooks, std::memory_order_release);
}

auth::SignInHooks* sign_in_hooks() noexcept {
  return installed_sign_in_hooks.load(std::memory_order_acquire);
}

void write_auth_response(http::Response& response, const schema::Collection& collection,
                         const json::object& record, std::string_view token,
                         const json::object* meta) {
  // PocketBase answers a map, whose keys Go writes sorted: meta, record, token.
  json::object body;
  if (meta) body["meta"] = *meta;
  body["record"] = records::export_record(collection, record, auth_response_visibility(collection));
  body["token"] = token;
  response.json(200, schema::serialize_go_json(body));
}

namespace {

// The sign-in alert (accounts/sign_in_alerts.hpp) of a sign-in that completed. As in PocketBase
// a failure here is logged and does not fail the sign-in.
boost::asio::awaitable<void> note_sign_in(const Services& services, const http::Request& request,
                                          const SignedIn& signed_in) {
  if (!signed_in.collection->auth.auth_alert.enabled) co_return;
  // Every argument named (GCC 12's coroutine rule).
  std::string ip(client_ip(request));
  std::string user_agent(request.header("User-Agent").value_or(""));
  std::shared_ptr<const collections::Catalog> catalog = signed_in.catalog;
  json::object record = signed_in.record;
  try {
    co_await services.accounts.note_sign_in(std::move(catalog), *signed_in.collection,
                                            std::move(record), std::move(ip),
                                            std::move(user_agent));
  } catch (const std::exception& error) {
    spdlog::warn("sign-in alert for a {} record not recorded: {}", signed_in.collection->name,
                 error.what());
  }
}

}  // namespace

std::string request_mfa_id(const http::Request& request, const RequestBody& body) {
  const QueryParams params = query_params(request);
  std::string id = param_or(params, "mfaId");
  if (!id.empty()) return id;
  // A form value inferred as a number still counts as its text; a JSON non-string is a 400.
  return string_member(body, "mfaId");
}

boost::asio::awaitable<void> finish_sign_in(const Services& services, const http::Request& request,
                                            const RequestBody& body, http::Response& response,
                                            const SignedIn& signed_in) {
  const std::string mfa_id = request_mfa_id(request, body);
  const records::Caller caller = caller_of(*signed_in.request_auth, request);
  auth::SignInHooks* hooks = sign_in_hooks();
  const std::string identity = sign_in_identity(signed_in.method, body);
  const std::string ip(client_ip(request));
  const auth::SignInAttempt hooked{
      *signed_in.collection, signed_in.method, identity, signed_in.record, ip, mfa_id, caller};
  // Scripts may refuse the sign-in here: after the method's checks, before the MFA gate and
  // before a token exists (auth/sign_in_hooks.hpp).
  if (hooks && hooks->wants_sign_in(signed_in.collection->name)) {
    co_await hooks->before_sign_in(hooked);
  }
  query::RequestInfo info;
  info.context = std::string(signed_in.method);
  info.method = std::string(request.method_text());
  info.body = body.data;
  auth::MfaAttempt attempt;
  attempt.catalog = signed_in.catalog.get();
  attempt.collection = signed_in.collection;
  attempt.record = &signed_in.record;
  attempt.method = signed_in.method;
  attempt.mfa_id = mfa_id;
  attempt.caller = &caller;
  attempt.request = &info;
  attempt.second_factor_only = signed_in.second_factor_only;
  const std::optional<std::string> pending = co_await services.mfa.check(attempt);
  if (pending) {
    json::object answer;
    answer["mfaId"] = *pending;
    response.json(401, json::serialize(answer));
    co_return;
  }
  co_await note_sign_in(services, request, signed_in);
  const std::string token =
      auth::issue_auth_token(*signed_in.collection, signed_in.record, services.clock.now());
  if (hooks && hooks->wants_auth(signed_in.collection->name)) {
    // The sign-in stands whatever the hook does; it may only add keys to `meta`.
    json::object meta = signed_in.meta ? *signed_in.meta : json::object();
    const json::object answer{
        {"record", records::export_record(*signed_in.collection, signed_in.record,
                                          auth_response_visibility(*signed_in.collection))},
        {"token", token}};
    co_await hooks->after_auth(hooked, answer, meta);
    const bool any = signed_in.meta || !meta.empty();
    write_auth_response(response, *signed_in.collection, signed_in.record, token,
                        any ? &meta : nullptr);
    co_return;
  }
  write_auth_response(response, *signed_in.collection, signed_in.record, token, signed_in.meta);
}

}  // namespace basalt::api
