#include "basalt/api/routes.hpp"

#include "basalt/api/health.hpp"

namespace basalt::api {

std::vector<http::Route> routes() {
  using http::Method;
  return {
      {Method::kGet, "/api/health", health},
  };
}

}  // namespace basalt::api
