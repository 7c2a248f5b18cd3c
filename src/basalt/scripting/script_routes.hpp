// ScriptRoutes: the scripts' custom routes (basalt.route, docs/hooks.md "Custom routes"),
// served by the dispatcher after its built-in router found nothing (http/dynamic_routes.hpp),
// so they pass the same request id, error boundary, CORS, body limits, `fields` and gzip.
// Each generation's routes form a router of their own; a generation whose route would be
// reached by a built-in route (same method and path, or a built-in path that would answer
// 405) is refused at load, and the previous generation keeps running.
//
// A call: the client address (settings.trustedProxy) and the caller from the Authorization
// header as every API route builds them, the route's `auth` enforced with PocketBase's
// 401/403, the body decoded by the API's decoder (JSON, form; 400 on a bad body), then the
// script's function, whose answer becomes the response.
//
// Thread safety: match() and the handlers run on every worker.
#pragma once

#include <memory>

#include "basalt/api/services.hpp"
#include "basalt/http/dynamic_routes.hpp"
#include "basalt/scripting/script_engine.hpp"

namespace basalt::scripting {

class ScriptRoutes final : public http::DynamicRoutes {
 public:
  // `builtin` is the dispatcher's router; `services` the API's. Both outlive this object.
  ScriptRoutes(ScriptEngine& engine, const http::Router& builtin, const api::Services& services);

  std::shared_ptr<const http::Handler> match(http::Method method, std::string_view path,
                                             http::RouteParams& params,
                                             std::string& allow) const override;

  // The engine's RouteBuilder: the router of `generation`'s routes; throws
  // std::invalid_argument naming a route that clashes.
  std::shared_ptr<const http::Router> build(const Generation& generation) const;

 private:
  boost::asio::awaitable<void> serve(const Generation& generation, std::size_t index,
                                     http::Request& request, http::Response& response) const;

  ScriptEngine& engine_;
  const http::Router& builtin_;
  const api::Services& services_;
};

}  // namespace basalt::scripting
