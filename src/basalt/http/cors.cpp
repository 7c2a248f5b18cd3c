#include "basalt/http/cors.hpp"

#include <algorithm>

namespace basalt::http {
namespace {

constexpr std::string_view kAllowMethods = "GET, HEAD, PUT, PATCH, POST, DELETE";
constexpr std::string_view kPreflightMaxAge = "86400";  // seconds a browser may cache it
constexpr std::size_t kMaxEchoedHeaderList = 1024;      // bounds what a preflight echoes

}  // namespace

CorsPolicy::CorsPolicy(std::vector<std::string> allowed_origins)
    : any_origin_(std::find(allowed_origins.begin(), allowed_origins.end(), "*") !=
                  allowed_origins.end()),
      origins_(std::move(allowed_origins)) {}

bool CorsPolicy::allows(std::string_view origin) const noexcept {
  return any_origin_ || std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
}

void CorsPolicy::apply(const Request& request, Response& response) const {
  auto origin = request.header("Origin");
  if (!origin || !allows(*origin)) return;
  if (any_origin_) {
    response.add_header("Access-Control-Allow-Origin", "*");
  } else {
    response.add_header("Access-Control-Allow-Origin", *origin);
    response.add_header("Vary", "Origin");
  }
}

bool CorsPolicy::answer_preflight(const Request& request, Response& response) const {
  if (request.method() != Method::kOptions) return false;
  auto origin = request.header("Origin");
  auto requested_method = request.header("Access-Control-Request-Method");
  if (!origin || !requested_method) return false;
  response.content(204, {}, {});
  // Allow-Origin itself is added by apply(), which the dispatcher runs on every response;
  // without it the browser blocks the actual request.
  if (!allows(*origin)) return true;
  response.add_header("Access-Control-Allow-Methods", kAllowMethods);
  auto requested_headers = request.header("Access-Control-Request-Headers");
  if (requested_headers && !requested_headers->empty() &&
      requested_headers->size() <= kMaxEchoedHeaderList) {
    response.add_header("Access-Control-Allow-Headers", *requested_headers);
  }
  response.add_header("Access-Control-Max-Age", kPreflightMaxAge);
  return true;
}

}  // namespace basalt::http
