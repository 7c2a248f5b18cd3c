// REST handlers of the mail-driven account flows of an auth collection (docs/auth-flows.md),
// each decoding the body and calling accounts::AccountFlows, which does every check:
//   POST /api/collections/{collection}/request-verification      {email}              -> 204
//   POST /api/collections/{collection}/confirm-verification      {token}              -> 204
//   POST /api/collections/{collection}/request-password-reset    {email}              -> 204
//   POST /api/collections/{collection}/confirm-password-reset    {token, password, passwordConfirm}
//   POST /api/collections/{collection}/request-email-change      {newEmail} (signed in) -> 204
//   POST /api/collections/{collection}/confirm-email-change      {token, password}    -> 204
//   POST /api/collections/{collection}/request-otp               {email} -> 200 {otpId}
//   POST /api/collections/{collection}/auth-with-otp             {otpId, password} -> auth response
//   POST /api/settings/test/email     {email, template, collection?} (superusers)  -> 204
// A body value of the wrong type is a 400 before the service is called.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "basalt/api/services.hpp"
#include "basalt/auth/auth_context.hpp"
#include "basalt/http/request.hpp"
#include "basalt/http/response.hpp"

namespace basalt::api {

boost::asio::awaitable<void> request_verification(const Services& services,
                                                  const auth::AuthContext& auth,
                                                  http::Request& request, http::Response& response);
boost::asio::awaitable<void> confirm_verification(const Services& services,
                                                  const auth::AuthContext& auth,
                                                  http::Request& request, http::Response& response);
boost::asio::awaitable<void> request_password_reset(const Services& services,
                                                    const auth::AuthContext& auth,
                                                    http::Request& request,
                                                    http::Response& response);
boost::asio::awaitable<void> confirm_password_reset(const Services& services,
                                                    const auth::AuthContext& auth,
                                                    http::Request& request,
                                                    http::Response& response);
boost::asio::awaitable<void> request_email_change(const Services& services,
                                                  const auth::AuthContext& auth,
                                                  http::Request& request, http::Response& response);
boost::asio::awaitable<void> confirm_email_change(const Services& services,
                                                  const auth::AuthContext& auth,
                                                  http::Request& request, http::Response& response);
boost::asio::awaitable<void> request_otp(const Services& services, const auth::AuthContext& auth,
                                         http::Request& request, http::Response& response);
boost::asio::awaitable<void> auth_with_otp(const Services& services, const auth::AuthContext& auth,
                                           http::Request& request, http::Response& response);
boost::asio::awaitable<void> test_email(const Services& services, const auth::AuthContext& auth,
                                        http::Request& request, http::Response& response);

}  // namespace basalt::api
