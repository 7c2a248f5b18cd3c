// POST /api/collections/{collection}/impersonate/{id} (superusers only; docs/auth-flows.md,
// "Impersonate"): body {"duration": seconds}, 0 or absent = the collection's authToken duration.
// Answers the auth response of record {id} with a token that auth-refresh does not renew.
// 404 for an unknown auth collection or record; 400 for a duration that is not a whole number
// of seconds in 0..kMaxStaticTokenSeconds; 403 when the collection's authRule refuses the
// record. No MFA: the superuser's own sign-in passed it.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "basalt/api/services.hpp"
#include "basalt/auth/auth_context.hpp"
#include "basalt/http/request.hpp"
#include "basalt/http/response.hpp"

namespace basalt::api {

boost::asio::awaitable<void> impersonate(const Services& services, const auth::AuthContext& auth,
                                         http::Request& request, http::Response& response);

}  // namespace basalt::api
