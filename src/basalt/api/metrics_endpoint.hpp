// GET /metrics (docs/observability.md): the process's metrics for Prometheus, in the text
// format 0.0.4, or OpenMetrics 1.0 when the Accept header asks for application/openmetrics-text.
//
// Access, checked in this order (the first that admits the caller wins):
//   1. `Authorization: Bearer <metrics-token>`, compared in constant time;
//   2. the TCP peer address in `metrics-allow` (addresses or CIDR subnets; never a forwarded
//      header, which a client could forge);
//   3. a superuser's auth token (as for every superuser route).
// Anyone else gets 401 in the API's error format. With `metrics = false` the route answers 404
// as if it did not exist, and nothing is counted.
#pragma once

#include "basalt/api/services.hpp"
#include "basalt/core/config.hpp"
#include "basalt/http/handler.hpp"

namespace basalt::api {

http::Handler metrics_endpoint(const Services& services, core::MetricsConfig config);

// Whether `presented` equals `expected`, in time independent of where they differ (both are
// hashed first, so neither length leaks either). An empty `expected` matches nothing.
bool token_matches(std::string_view presented, std::string_view expected);

}  // namespace basalt::api
