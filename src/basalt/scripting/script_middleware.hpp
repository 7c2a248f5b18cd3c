// ScriptMiddleware: the scripts' basalt.middleware functions (docs/hooks.md, "Middleware"),
// run by the dispatcher before the handler of every routed request whose method and path
// they name (http/request_interceptor.hpp), built-in and custom routes alike, in load order.
//
// A function gets `req` {method, path, query, headers, ip} (no body: it has not been decoded
// yet, and no `auth`: the handler authenticates), runs under the hooks' memory and time
// limits, and either returns nil (go on), returns {headers = {...}} (added to the answer), or
// raises basalt.error(...) (the request ends with that error; later middleware and the handler
// do not run). Service calls inside it are made as a guest.
//
// Cost: wants() is one atomic load when no middleware is loaded; with middleware, one Lua call
// per matching request on the request's worker (not measured yet).
// Thread safety: every member from any worker.
#pragma once

#include "basalt/api/services.hpp"
#include "basalt/http/request_interceptor.hpp"
#include "basalt/scripting/script_engine.hpp"

namespace basalt::scripting {

class ScriptMiddleware final : public http::RequestInterceptor {
 public:
  ScriptMiddleware(ScriptEngine& engine, const api::Services& services)
      : engine_(engine), services_(services) {}

  bool wants(http::Method method, std::string_view path) const noexcept override;
  boost::asio::awaitable<void> before(http::Request& request,
                                      http::Response& response) const override;

 private:
  ScriptEngine& engine_;
  const api::Services& services_;
};

}  // namespace basalt::scripting
