// RequestInfo: what `@request.*` in a rule or filter reads (docs/filters.md), as PocketBase's
// core.RequestInfo holds it.
//
// The records service fills one per request (realtime per subscriber). Values keep PocketBase's
// Go types in mind, because they decide how a value is bound:
//   - headers and query hold the first value of each name, as strings; header names are
//     normalized with normalize_header_name() ("X-Token" -> "x_token") by whoever fills them;
//   - body is the submitted body after `+`/`-` modifier resolution (create/update), any JSON;
//     numbers bind as REAL (Go decodes every JSON number as float64), booleans as 0/1, arrays
//     and objects as their JSON text (Go's json.Marshal form);
//   - auth is the authenticated record with every field (hidden ones included, email unmasked)
//     as it is served; "collectionId"/"collectionName" may be omitted (taken from AuthInfo).
// A RequestInfo is only read by the query module, never kept: compile and evaluate calls read
// it during the call.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "basalt/query/ast.hpp"

namespace basalt::query {

struct AuthInfo {
  std::string collection_id;
  std::string collection_name;
  boost::json::object record;  // must hold "id"; unused when `borrowed` is set
  // The record without a copy, when its owner outlives every read of this AuthInfo (the record
  // service borrows the caller's cached auth record for one call).
  const boost::json::object* borrowed = nullptr;

  const boost::json::object& fields() const noexcept { return borrowed ? *borrowed : record; }
};

struct RequestInfo {
  std::string context = "default";  // default, oauth2, otp, password, realtime, protectedFile, ...
  std::string method = "GET";
  boost::json::object headers;
  boost::json::object query;
  boost::json::object body;
  std::optional<AuthInfo> auth;  // nullopt for guests

  // The authenticated record's id ("" for guests).
  std::string_view auth_id() const noexcept;
};

// A header name as `@request.headers.<name>` spells it: PocketBase's Snakecase of Go's
// canonical header key, i.e. the words between non-alphanumeric characters, lower-cased and
// joined with '_' ("X-Token" -> "x_token", "content-type" -> "content_type").
std::string normalize_header_name(std::string_view name);

// The value `@request.<root>.<path...>` names, as PocketBase's extractNestedVal finds it.
// `found` is false when a key or index along the path is missing (then the operand is NULL and
// `:isset` is false). context and method come back as `text` with `json` null.
struct RequestValue {
  bool found = false;
  const boost::json::value* json = nullptr;
  std::string_view text;
};

// `root` is one of the kRequest* roots; `path` the segments after it (empty for context and
// method). Array elements are addressed by decimal index segments.
RequestValue find_request_value(const RequestInfo& request, IdentifierRoot root,
                                std::span<const std::string_view> path);

}  // namespace basalt::query
