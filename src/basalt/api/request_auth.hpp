// The caller's AuthContext for a REST request, from its Authorization header (docs/security.md,
// "Callers"), the rest of what rules read of the request, and the check of a route's declared
// access (api_handler.hpp).
#pragma once

#include <boost/asio/awaitable.hpp>

#include "basalt/api/api_handler.hpp"
#include "basalt/api/client_address.hpp"
#include "basalt/api/query_params.hpp"
#include "basalt/api/services.hpp"
#include "basalt/auth/auth_context.hpp"
#include "basalt/http/request.hpp"
#include "basalt/query/request_info.hpp"

namespace basalt::api {

// A guest when the header is missing or the token is not valid (never an error).
boost::asio::awaitable<auth::AuthContext> request_auth(const Services& services,
                                                       const http::Request& request);

// The record service's view of the caller (borrows `context` and `request`, which must
// outlive it).
records::Caller caller_of(const auth::AuthContext& context, const http::Request& request);

// What `@request.*` reads of a request besides auth and body: method, headers (first value of
// each normalised name), query parameters. Record and file routes pass it to the service.
query::RequestInfo request_info(const http::Request& request, const QueryParams& params);

// Refuses a caller that does not meet a route's declared access, with PocketBase's texts:
// 401 "The request requires valid record authorization token." for a guest, 403 "The
// authorized record is not allowed to perform this action." for the wrong record (kAuthRecord:
// a record of another collection than the route's {collection}, by id or name).
void require_access(Access access, const auth::AuthContext& context, const http::Request& request);

}  // namespace basalt::api
