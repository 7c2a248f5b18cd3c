// Basalt's TOTP routes (docs/auth-flows.md, "TOTP"; beyond PocketBase), all under
// /api/collections/{collection}/totp:
//   GET  /totp                  status of the caller's TOTP {enabled, pending, recoveryCodesLeft}
//   POST /totp/enroll           -> {secret, uri}: a new pending secret
//   POST /totp/confirm          {code} -> {recoveryCodes: [...]}: activates it
//   POST /totp/disable          {password} -> 204
//   POST /totp/auth-with-totp   {mfaId, code} -> the auth response (or 401 {mfaId} never: TOTP
//                               only completes an MFA session)
// The first four need a token of a record of {collection} (the route's access); the sign-in is
// open to guests, who prove the first factor with the mfaId.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "basalt/api/services.hpp"
#include "basalt/auth/auth_context.hpp"
#include "basalt/http/request.hpp"
#include "basalt/http/response.hpp"

namespace basalt::api {

boost::asio::awaitable<void> totp_status(const Services& services, const auth::AuthContext& auth,
                                         http::Request& request, http::Response& response);
boost::asio::awaitable<void> totp_enroll(const Services& services, const auth::AuthContext& auth,
                                         http::Request& request, http::Response& response);
boost::asio::awaitable<void> totp_confirm(const Services& services, const auth::AuthContext& auth,
                                          http::Request& request, http::Response& response);
boost::asio::awaitable<void> totp_disable(const Services& services, const auth::AuthContext& auth,
                                          http::Request& request, http::Response& response);
boost::asio::awaitable<void> auth_with_totp(const Services& services, const auth::AuthContext& auth,
                                            http::Request& request, http::Response& response);

}  // namespace basalt::api
