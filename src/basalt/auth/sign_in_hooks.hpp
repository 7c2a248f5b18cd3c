// SignInHooks: how every sign-in lets server-side scripts (src/basalt/scripting, docs/hooks.md
// "Sign-in hooks") see and refuse it, without the auth layer knowing about scripts. Null when
// none is wired.
//
// Both are called from api::finish_sign_in, the one place every sign-in method (password,
// OTP, OAuth2, TOTP) and every MFA step ends, on the request's worker; never on the writer and
// never inside a transaction:
//   before_sign_in  after the method verified its credential and the authRule passed, before
//                   the MFA gate and before any token exists. Throwing core::ApiError refuses
//                   the sign-in with that error (no token, no MFA row, no sign-in alert).
//   after_auth      after the token was issued, before the answer: may add keys to the
//                   answer's `meta`; can never undo the sign-in (it must not throw).
// What a hook sees never holds the password (nor the record's password hash or token key).
//
// Thread safety: every member may be called concurrently from any worker thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <string_view>

#include "basalt/records/caller.hpp"
#include "basalt/schema/collection.hpp"

namespace basalt::auth {

struct SignInAttempt {
  const schema::Collection& collection;
  std::string_view method;            // password, otp, oauth2, totp
  std::string_view identity;          // what the client signed in with (password: its identity)
  const boost::json::object& record;  // every stored field (hooks get it without secrets)
  std::string_view client_ip;
  std::string_view mfa_id;        // "" unless this completes an MFA step
  const records::Caller& caller;  // the request's own caller (a guest unless it sent a token)
};

class SignInHooks {
 public:
  virtual ~SignInHooks() = default;
  virtual bool wants_sign_in(std::string_view collection) const noexcept = 0;
  virtual bool wants_auth(std::string_view collection) const noexcept = 0;
  virtual boost::asio::awaitable<void> before_sign_in(const SignInAttempt& attempt) = 0;
  // `answer` is {record, token}; the hook may add keys to `meta` (created when absent).
  virtual boost::asio::awaitable<void> after_auth(const SignInAttempt& attempt,
                                                  const boost::json::object& answer,
                                                  boost::json::object& meta) = 0;
};

}  // namespace basalt::auth
