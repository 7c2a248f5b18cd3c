// The REST route table: every endpoint Basalt serves, in one place (docs/architecture.md).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "basalt/api/api_handler.hpp"
#include "basalt/api/batch_routes.hpp"
#include "basalt/api/services.hpp"
#include "basalt/http/router.hpp"

namespace basalt::api {

// `services` must outlive the routes (the handlers capture it).
std::vector<http::Route> routes(const Services& services);

// A route outside the table above (a C++ extension's, docs/extending.md) behind the same
// wrapper as every API route: client address, caller, settings.superuserIPs, settings.rateLimits
// (by `path` as the pattern), then `access` refused with PocketBase's 401/403 before `handler`.
using GuardedHandler = std::function<boost::asio::awaitable<void>(
    const Services&, const auth::AuthContext&, http::Request&, http::Response&)>;
http::Route guarded_route(const Services& services, http::Method method, std::string path,
                          Access access, GuardedHandler handler);

// The checks of that wrapper, for a route served outside the router's table (the scripts'
// custom routes, scripting/script_routes.hpp): resolves the client address, builds the caller's
// AuthContext, notes it for the request log, applies settings.superuserIPs and
// settings.rateLimits (`pattern`: the route's path pattern; `rate_tags`: rate_limit_tags() of
// it), then refuses `access` with PocketBase's 401/403. Returns the caller.
boost::asio::awaitable<auth::AuthContext> guard_request(const Services& services, Access access,
                                                        std::string_view pattern,
                                                        const std::vector<std::string>& rate_tags,
                                                        http::Request& request);

// The sub-requests POST /api/batch accepts: the routes of the table above that declare a batch
// kind (built once, on first use).
const BatchRoutes& batch_routes();

}  // namespace basalt::api
