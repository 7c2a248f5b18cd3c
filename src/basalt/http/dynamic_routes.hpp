// DynamicRoutes: routes added while the server runs (server-side scripts' custom routes,
// docs/hooks.md), consulted by the Dispatcher only when the built-in Router has no route for
// the path, so a built-in route always wins. Their handlers run through the same dispatcher:
// request id, error boundary, CORS, `fields`, gzip and the connection's body limits.
// Thread safety: match() is called concurrently from every worker.
#pragma once

#include <memory>
#include <string_view>

#include "basalt/http/handler.hpp"
#include "basalt/http/method.hpp"
#include "basalt/http/router.hpp"

namespace basalt::http {

class DynamicRoutes {
 public:
  virtual ~DynamicRoutes() = default;
  // The handler for (method, path) with its path parameters bound into `params`; null when no
  // dynamic route matches, with `allow` set to the methods that would (for a 405) when the path
  // matches a route of another method. The handler stays valid while the pointer is held.
  virtual std::shared_ptr<const Handler> match(Method method, std::string_view path,
                                               RouteParams& params, std::string& allow) const = 0;
};

}  // namespace basalt::http
