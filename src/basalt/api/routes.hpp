// The REST route table: every endpoint Basalt serves, in one place (docs/architecture.md).
#pragma once

#include <vector>

#include "basalt/api/services.hpp"
#include "basalt/http/router.hpp"

namespace basalt::api {

// `services` must outlive the routes (the handlers capture it).
std::vector<http::Route> routes(const Services& services);

}  // namespace basalt::api
