// How every auth route answers (docs/auth-flows.md): the auth response {record, token}, and
// finish_sign_in - the ONE way a successful sign-in method (password, OTP, OAuth2, TOTP) ends,
// so the MFA gate (auth/mfa_gate.hpp) can never be skipped by a new method.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "basalt/api/request_body.hpp"
#include "basalt/api/services.hpp"
#include "basalt/auth/auth_context.hpp"
#include "basalt/http/request.hpp"
#include "basalt/http/response.hpp"

namespace basalt::api {

// 200 {"meta"?: ..., "record": ..., "token": ...} (PocketBase's keys, sorted as its map is):
// the owner sees its email; superusers also see their hidden fields. `meta` is OAuth2's.
void write_auth_response(http::Response& response, const schema::Collection& collection,
                         const boost::json::object& record, std::string_view token,
                         const boost::json::object* meta = nullptr);

// A sign-in whose method has passed (and whose authRule check passed).
struct SignedIn {
  std::shared_ptr<const collections::Catalog> catalog;
  const schema::Collection* collection = nullptr;  // in `catalog`
  boost::json::object record;                      // every field, as stored
  std::string_view method;                         // auth::kMfaMethod*
  bool second_factor_only = false;                 // auth::MfaAttempt::second_factor_only
  const boost::json::object* meta = nullptr;       // answered beside the record (OAuth2's meta)
  // The request's own caller (a guest unless it sent a token): `@request.auth` of the
  // mfa.rule, as in PocketBase. Required; borrowed for the call.
  const auth::AuthContext* request_auth = nullptr;
};

// The request's mfaId: the `mfaId` query parameter, else the body's `mfaId` member (400 with a
// field error when it is a JSON value other than a string), else "".
std::string request_mfa_id(const http::Request& request, const RequestBody& body);

// Runs the MFA gate with the request's mfaId, then answers: 401 {"mfaId": id} when a second
// method is needed (PocketBase's plain object, which the SDK reads as err.response.mfaId),
// else the auth response with a fresh token. Throws the gate's 400s.
boost::asio::awaitable<void> finish_sign_in(const Services& services, const http::Request& request,
                                            const RequestBody& body, http::Response& response,
                                            const SignedIn& signed_in);

}  // namespace basalt::api
