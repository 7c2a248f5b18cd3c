// Dispatcher: runs one parsed request through the middleware chain and its route's handler.
//
// Order, outermost first:
//   1. request id   — keep a well-formed X-Request-Id or generate one (echoed by the writer)
//   2. exception boundary — core::ApiError becomes its error JSON; anything else becomes the
//      generic 500 with the details only in the log (tagged with the request id)
//   3. CORS         — preflights are answered here; allowed origins get their headers on every
//                     response, errors included, so browsers can read error bodies
//   4. router       — 404 / 405 with Allow, in the error JSON
//   4b. interceptor — scripts' middleware, for routed requests only (request_interceptor.hpp)
//   5. handler
//   6. fields       — `?fields=` projects a 2xx JSON body (json_fields.hpp; a list envelope
//                     per item). The spec is parsed before the handler runs, so a bad one ends
//                     the request with 400 before the handler has changed anything
//   7. gzip         — JSON bodies >= gzip-min-bytes when Accept-Encoding allows it
// The access log is written by the connection, which alone knows bytes sent and timing.
//
// Thread safety: immutable after construction; handle() runs concurrently on every worker.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <optional>

#include "basalt/http/cors.hpp"
#include "basalt/http/dynamic_routes.hpp"
#include "basalt/http/request.hpp"
#include "basalt/http/request_interceptor.hpp"
#include "basalt/http/response.hpp"
#include "basalt/http/router.hpp"

namespace basalt::http {

class Dispatcher {
 public:
  Dispatcher(Router router, CorsPolicy cors, std::size_t gzip_min_bytes);

  // Never throws: every failure ends as an error response in `response`.
  boost::asio::awaitable<void> handle(Request& request, Response& response) const;

  // The upload plan of the route (method, path) reaches, when it declares one (router.hpp).
  // Never throws: a planner that fails gives no plan (the body is then read in memory under
  // the ordinary limit, and the handler reports what is wrong with the request).
  std::optional<UploadPlan> upload_plan(Method method, std::string_view path) const noexcept;

  // Routes consulted when the built-in router has none for a path (dynamic_routes.hpp). Set
  // once, before the server starts; must outlive the dispatcher. Null: none.
  void set_dynamic_routes(const DynamicRoutes* routes) noexcept { dynamic_ = routes; }
  const Router& router() const noexcept { return router_; }

  // Runs before every routed request's handler (request_interceptor.hpp). Set once, before
  // the server starts; must outlive the dispatcher. Null: none.
  void set_interceptor(const RequestInterceptor* interceptor) noexcept {
    interceptor_ = interceptor;
  }

 private:
  // Sets `slot` to the request's metrics slot (request_metrics.hpp) once the router matched.
  boost::asio::awaitable<void> route(Request& request, Response& response, std::size_t& slot) const;
  void compress(const Request& request, Response& response) const;

  Router router_;
  CorsPolicy cors_;
  std::size_t gzip_min_bytes_;
  const DynamicRoutes* dynamic_ = nullptr;
  const RequestInterceptor* interceptor_ = nullptr;
};

// Fills `response` with an error body of the contract's shape (docs/api.md, "Errors").
void set_error(Response& response, int status, std::string_view message = {});

}  // namespace basalt::http
