// GET /api/health (docs/api.md, "Routes"): a liveness answer for load balancers and the SDK's
// pb.health.check(). It touches no database, so it stays cheap enough to poll often.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "basalt/http/request.hpp"
#include "basalt/http/response.hpp"

namespace basalt::api {

boost::asio::awaitable<void> health(http::Request& request, http::Response& response);

}  // namespace basalt::api
