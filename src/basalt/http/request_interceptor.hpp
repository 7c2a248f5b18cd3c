// RequestInterceptor: code that runs before the handler of every request a route matched,
// built-in or dynamic (server-side scripts' middleware, docs/hooks.md "Middleware"). It runs
// after CORS preflights, routing (404/405 never reach it) and the `?fields=` check, inside the
// dispatcher's error boundary: throwing core::ApiError answers that error instead of the
// handler, and headers it adds to the response stay on the handler's answer (an error answer
// replaces them).
// Thread safety: wants() and before() are called concurrently from every worker.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string_view>

#include "basalt/http/request.hpp"
#include "basalt/http/response.hpp"

namespace basalt::http {

class RequestInterceptor {
 public:
  virtual ~RequestInterceptor() = default;
  // The cheap test made for every routed request (no allocation when nothing is registered).
  virtual bool wants(Method method, std::string_view path) const noexcept = 0;
  virtual boost::asio::awaitable<void> before(Request& request, Response& response) const = 0;
};

}  // namespace basalt::http
