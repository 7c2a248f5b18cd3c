// The REST route table: every endpoint Basalt serves, in one place (docs/architecture.md).
#pragma once

#include <vector>

#include "basalt/api/batch_routes.hpp"
#include "basalt/api/services.hpp"
#include "basalt/http/router.hpp"

namespace basalt::api {

// `services` must outlive the routes (the handlers capture it).
std::vector<http::Route> routes(const Services& services);

// The sub-requests POST /api/batch accepts: the routes of the table above that declare a batch
// kind (built once, on first use).
const BatchRoutes& batch_routes();

}  // namespace basalt::api
