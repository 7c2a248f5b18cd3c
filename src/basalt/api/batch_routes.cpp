#include "basalt/api/batch_routes.hpp"

namespace basalt::api {
namespace {

// The router wants a handler per route; batch routes only name a write, they never run one.
http::Handler no_handler() {
  return [](http::Request&, http::Response&) -> boost::asio::awaitable<void> { co_return; };
}

std::vector<http::Route> router_routes(const std::vector<BatchRoute>& routes) {
  std::vector<http::Route> out;
  for (const BatchRoute& route : routes) out.push_back({route.method, route.path, no_handler()});
  return out;
}

std::vector<records::WriteKind> kinds_of(const std::vector<BatchRoute>& routes) {
  std::vector<records::WriteKind> out;
  for (const BatchRoute& route : routes) out.push_back(route.kind);
  return out;
}

}  // namespace

BatchRoutes::BatchRoutes(std::vector<BatchRoute> routes)
    : kinds_(kinds_of(routes)), router_(router_routes(routes)) {}

std::optional<BatchTarget> BatchRoutes::resolve(std::string_view method,
                                                std::string_view path) const {
  const http::Method parsed = http::method_from_name(method);
  // HEAD would fall back to GET; no batch route is a GET, but keep the rule explicit.
  if (parsed == http::Method::kOther || parsed == http::Method::kHead) return std::nullopt;
  http::RouteMatch match = router_.match(parsed, path);
  if (!match.handler) return std::nullopt;
  BatchTarget target{kinds_[match.index], {}, {}};
  for (auto& [name, value] : match.params) {
    if (name == "collection") target.collection = std::move(value);
    if (name == "id") target.id = std::move(value);
  }
  return target;
}

}  // namespace basalt::api
