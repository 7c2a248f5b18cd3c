// CORS: which browser origins may call the API, and the answer to preflight requests.
//
// Allowed origins come from the `cors-origins` setting: "*" allows any origin (the default, as
// PocketBase); otherwise the request's Origin must equal one entry exactly.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "basalt/http/request.hpp"
#include "basalt/http/response.hpp"

namespace basalt::http {

class CorsPolicy {
 public:
  explicit CorsPolicy(std::vector<std::string> allowed_origins);

  // Adds Access-Control-Allow-Origin (and Vary) when the request's Origin is allowed.
  void apply(const Request& request, Response& response) const;

  // True for a preflight (OPTIONS with Origin and Access-Control-Request-Method); fills the
  // 204 answer, which carries the allow headers only when the origin is allowed. The caller
  // still runs apply() on it, as on every response.
  bool answer_preflight(const Request& request, Response& response) const;

 private:
  bool allows(std::string_view origin) const noexcept;

  bool any_origin_;
  std::vector<std::string> origins_;
};

}  // namespace basalt::http
