// The REST route table: every endpoint Basalt serves, in one place (DESIGN.md §3).
#pragma once

#include <vector>

#include "basalt/http/router.hpp"

namespace basalt::api {

std::vector<http::Route> routes();

}  // namespace basalt::api
