// REST handlers of OAuth2 sign-in (docs/oauth2.md):
//   POST     /api/collections/{collection}/auth-with-oauth2
//   GET|POST /api/oauth2-redirect
//   POST     /api/settings/apple/generate-client-secret (superusers)
#pragma once

#include <boost/asio/awaitable.hpp>

#include "basalt/api/services.hpp"
#include "basalt/auth/auth_context.hpp"
#include "basalt/http/request.hpp"
#include "basalt/http/response.hpp"

namespace basalt::api {

// {provider, code, codeVerifier, redirectURL, createData} -> {meta, record, token}; the errors of
// oauth2::OAuth2SignIn (oauth2_sign_in.hpp), plus 400 when createData is not an object.
boost::asio::awaitable<void> auth_with_oauth2(const Services& services,
                                              const auth::AuthContext& auth, http::Request& request,
                                              http::Response& response);

// The provider's redirect: state, code and error from the query (GET) or the form body (POST,
// response_mode=form_post). The realtime client whose id is the state and that is subscribed
// to `@oauth2` gets {state, code[, error]}; the page says whether the sign-in can go on. Never an
// error status: whatever arrives, the browser gets a page.
boost::asio::awaitable<void> oauth2_redirect(const Services& services,
                                             const auth::AuthContext& auth, http::Request& request,
                                             http::Response& response);

// {clientId, teamId, keyId, privateKey, duration} -> {"secret": "<ES256 JWT>"}
// (oauth2/apple_client_secret.hpp); 400 with field errors, or when the key is unusable.
boost::asio::awaitable<void> generate_apple_client_secret(const Services& services,
                                                          const auth::AuthContext& auth,
                                                          http::Request& request,
                                                          http::Response& response);

}  // namespace basalt::api
