// The record writes a batch sub-request may name. They are declared in the route table
// (routes.cpp) like every other route and resolved by the same http::Router, so a route added
// there with a batch kind is batchable without touching the batch handler.
// Thread safety: immutable after construction.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/http/method.hpp"
#include "basalt/http/router.hpp"
#include "basalt/records/write_operation.hpp"

namespace basalt::api {

struct BatchRoute {
  http::Method method;
  std::string path;  // a template with {collection} and, for single records, {id}
  records::WriteKind kind;
};

// A sub-request's method and path resolved to a write.
struct BatchTarget {
  records::WriteKind kind;
  std::string collection;  // percent-decoded, as the router binds it
  std::string id;          // "" when the template has no {id}
};

class BatchRoutes {
 public:
  explicit BatchRoutes(std::vector<BatchRoute> routes);

  // nullopt when no declared batch route matches `method` (as sent: "POST", ...) and `path`.
  std::optional<BatchTarget> resolve(std::string_view method, std::string_view path) const;

 private:
  std::vector<records::WriteKind> kinds_;  // by route position
  http::Router router_;
};

}  // namespace basalt::api
