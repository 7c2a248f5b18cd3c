// REST handlers of the auth routes of an auth collection (docs/api.md, "Routes"):
//   POST /api/collections/{collection}/auth-with-password
//   POST /api/collections/{collection}/auth-refresh
//   GET  /api/collections/{collection}/auth-methods
// A collection that is unknown or not an auth collection answers 404
// "Missing or invalid auth collection context.".
#pragma once

#include <boost/asio/awaitable.hpp>

#include "basalt/api/services.hpp"
#include "basalt/auth/auth_context.hpp"
#include "basalt/http/request.hpp"
#include "basalt/http/response.hpp"

namespace basalt::api {

// Identity + password -> {record, token}. In order: 404 for a non-auth collection, 400 for a
// malformed body, 403 when password auth is disabled, 429 past the failure limits (per client
// IP and per identity), 400 "Failed to authenticate." for an unknown identity or a wrong
// password (both spend one password verification, so timing does not tell them apart), 403
// when the collection's authRule refuses the record. A bcrypt or outdated argon2id hash is
// replaced by a fresh argon2id one on success.
boost::asio::awaitable<void> auth_with_password(const Services& services,
                                                const auth::AuthContext& auth,
                                                http::Request& request, http::Response& response);

// A valid token of this collection -> a new token (the same one when it is not refreshable)
// and the fresh record. 401 without a valid token, 403 for a token of another collection.
boost::asio::awaitable<void> auth_refresh(const Services& services, const auth::AuthContext& auth,
                                          http::Request& request, http::Response& response);

// Which auth methods the collection offers: password, OAuth2 providers (each with a fresh state
// and PKCE pair, docs/oauth2.md), MFA and OTP (reported off: not built yet).
boost::asio::awaitable<void> auth_methods(const Services& services, const auth::AuthContext& auth,
                                          http::Request& request, http::Response& response);

}  // namespace basalt::api
