#include "basalt/http/router.hpp"

#include <boost/url/decode_view.hpp>
#include <boost/url/pct_string_view.hpp>
#include <map>
#include <stdexcept>

namespace basalt::http {

// One trie node per path segment. `methods` maps a method to its route index for templates
// that end here.
struct Router::Node {
  std::map<std::string, std::unique_ptr<Node>, std::less<>> literals;
  std::unique_ptr<Node> param;
  std::string param_name;  // for `param`'s segment
  std::vector<std::pair<Method, std::size_t>> methods;
};

namespace {

// Splits "/a/b" into {"a","b"}; "/" is {""} so the root path is a route like any other.
std::vector<std::string_view> split_segments(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 1;
  while (true) {
    auto slash = path.find('/', start);
    out.push_back(path.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

std::string percent_decode(std::string_view segment) {
  auto checked = boost::urls::make_pct_string_view(segment);
  if (!checked) return std::string(segment);  // malformed escapes: keep the raw text
  boost::urls::decode_view decoded = **checked;
  return std::string(decoded.begin(), decoded.end());
}

}  // namespace

Router::Router(std::vector<Route> routes) : routes_(std::move(routes)), root_(new Node) {
  for (std::size_t index = 0; index < routes_.size(); ++index) {
    const Route& route = routes_[index];
    if (route.path.empty() || route.path.front() != '/') {
      throw std::invalid_argument("route path must start with '/': " + route.path);
    }
    Node* node = root_.get();
    for (std::string_view segment : split_segments(route.path)) {
      if (is_param(segment)) {
        std::string name(segment.substr(1, segment.size() - 2));
        if (!node->param) {
          node->param = std::make_unique<Node>();
          node->param_name = name;
        } else if (node->param_name != name) {
          throw std::invalid_argument("conflicting parameter names at " + route.path);
        }
        node = node->param.get();
      } else {
        if (segment.find_first_of("{}") != std::string_view::npos) {
          throw std::invalid_argument("malformed route segment in " + route.path);
        }
        auto& child = node->literals[std::string(segment)];
        if (!child) child = std::make_unique<Node>();
        node = child.get();
      }
    }
    for (const auto& [method, existing] : node->methods) {
      if (method == route.method) throw std::invalid_argument("duplicate route " + route.path);
    }
    node->methods.emplace_back(route.method, index);
  }
}

Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

namespace {

const Route* route_for(const Router::Node& node, const std::vector<Route>& routes, Method method);

}  // namespace

// Depth-first: literal child first, then the parameter child, so among the templates that
// accept this method a literal wins at every segment. Only nodes that pass `accept` count.
template <class Accept>
const Router::Node* Router::find(const Node* node, const std::vector<std::string_view>& segments,
                                 std::size_t i, std::vector<std::string_view>& bound,
                                 const Accept& accept) {
  if (i == segments.size()) return accept(*node) ? node : nullptr;
  std::string_view segment = segments[i];
  auto it = node->literals.find(segment);
  if (it != node->literals.end()) {
    if (const auto* found = find(it->second.get(), segments, i + 1, bound, accept)) return found;
  }
  if (node->param && !segment.empty()) {
    bound.push_back(segment);
    if (const auto* found = find(node->param.get(), segments, i + 1, bound, accept)) return found;
    bound.pop_back();
  }
  return nullptr;
}

RouteMatch Router::match(Method method, std::string_view path) const {
  RouteMatch result;
  if (path.empty() || path.front() != '/') return result;
  auto segments = split_segments(path);
  std::vector<std::string_view> bound;
  const Node* node = find(root_.get(), segments, 0, bound,
                          [&](const Node& n) { return route_for(n, routes_, method) != nullptr; });
  if (!node) {
    // 405 or 404: collect the methods of every template that matches the path.
    bool any = false;
    bool has[kMethodCount] = {};
    find(root_.get(), segments, 0, bound, [&](const Node& n) {
      for (const auto& [m, index] : n.methods) has[static_cast<int>(m)] = any = true;
      return false;  // keep walking: every matching template contributes
    });
    result.path_known = any;
    if (has[static_cast<int>(Method::kGet)]) has[static_cast<int>(Method::kHead)] = true;
    for (int m = 0; m < kMethodCount; ++m) {
      if (!has[m]) continue;
      if (!result.allow.empty()) result.allow += ", ";
      result.allow += method_name(static_cast<Method>(m));
    }
    return result;
  }
  result.path_known = true;
  const Route* chosen = route_for(*node, routes_, method);

  // Walk the chosen template again to name the bound segments.
  std::size_t b = 0;
  for (std::string_view segment : split_segments(chosen->path)) {
    if (is_param(segment)) {
      result.params.emplace_back(std::string(segment.substr(1, segment.size() - 2)),
                                 percent_decode(bound[b++]));
    }
  }
  result.handler = &chosen->handler;
  result.index = static_cast<std::size_t>(chosen - routes_.data());
  return result;
}

namespace {

// The route at `node` that serves `method`; HEAD falls back to GET.
const Route* route_for(const Router::Node& node, const std::vector<Route>& routes, Method method) {
  const Route* get_route = nullptr;
  for (const auto& [m, index] : node.methods) {
    if (m == method) return &routes[index];
    if (m == Method::kGet) get_route = &routes[index];
  }
  return method == Method::kHead ? get_route : nullptr;
}

}  // namespace

}  // namespace basalt::http
