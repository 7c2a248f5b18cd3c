// Router: maps (method, path) to a handler, built once from the route table.
//
// Templates are '/'-separated segments; a segment `{name}` matches any one non-empty segment
// and binds it (percent-decoded) as a parameter. Matching rules:
//  1. Paths match exactly: no trailing-slash or case normalisation (docs/api.md, "Routes").
//  2. Among the templates that accept the method, a literal beats a parameter at each
//     segment: `/api/collections/meta` wins over `/api/collections/{id}` whichever was
//     declared first, but `GET /api/collections/import` goes to `GET /api/collections/{id}`
//     when `/api/collections/import` only has PUT (as Go's ServeMux, which PocketBase uses).
//  3. HEAD is served by the GET route when no HEAD route exists.
//  4. A path that matches some route but not for this method is a 405 whose Allow header
//     lists the methods that would match; a path that matches no route is a 404.
// Thread safety: immutable after construction, shared by all worker threads.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "basalt/http/handler.hpp"
#include "basalt/http/method.hpp"
#include "basalt/http/upload_spool.hpp"

namespace basalt::http {

using RouteParams = std::vector<std::pair<std::string, std::string>>;

// A route that takes uploads says how a multipart body of one request may be spooled
// (upload_spool.hpp), from the request's path parameters; nullopt: read it as any other body.
// Called on the worker thread once the header is parsed, before any body byte is read.
using UploadPlanner = std::function<std::optional<UploadPlan>(const RouteParams& params)>;

struct Route {
  Method method;
  std::string path;  // template, e.g. "/api/collections/{collection}/records/{id}"
  Handler handler;
  UploadPlanner uploads = nullptr;
};

struct RouteMatch {
  const Handler* handler = nullptr;  // null: no route for this method
  bool path_known = false;           // some route has this path (so: 405, not 404)
  std::string allow;                 // on 405: e.g. "GET, HEAD, POST"
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t index = 0;  // the matched route's position in the table (valid with `handler`)
};

class Router {
 public:
  // Throws std::invalid_argument on a malformed template or a duplicate (method, path).
  explicit Router(std::vector<Route> routes);
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;

  RouteMatch match(Method method, std::string_view path) const;
  const Route& route(std::size_t index) const { return routes_.at(index); }
  std::size_t size() const noexcept { return routes_.size(); }

  struct Node;  // trie node, defined in router.cpp

 private:
  template <class Accept>
  static const Node* find(const Node* node, const std::vector<std::string_view>& segments,
                          std::size_t i, std::vector<std::string_view>& bound,
                          const Accept& accept);

  std::vector<Route> routes_;
  std::unique_ptr<Node> root_;
};

}  // namespace basalt::http
