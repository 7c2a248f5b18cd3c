// POST /api/graphql and GET /api/graphql?query=… (docs/graphql.md, "HTTP"): the
// GraphQL-over-HTTP transport of graphql::GraphqlService, behind the same route wrapper as REST
// (AuthContext from the Authorization header, superuserIPs, rate limits).
//
//   POST  Content-Type application/json (else 415); the body a JSON object with `query`
//         (string), `variables` (object or null), `operationName` (string or null),
//         `extensions` (object or null), else 400; at most max_body_bytes() bytes (413).
//   GET   the same parameters in the query string (`variables`, `extensions` as JSON text);
//         only query operations (405 with `Allow: POST` otherwise).
//   Accept application/graphql-response+json: errors of the request (it did not run) get
//         400; application/json (also */*, or no Accept): 200, as the spec asks of legacy
//         clients; anything else 406. Answers are UTF-8 JSON in the negotiated type.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>

#include "basalt/api/services.hpp"
#include "basalt/auth/auth_context.hpp"
#include "basalt/http/request.hpp"
#include "basalt/http/response.hpp"

namespace basalt::api {

boost::asio::awaitable<void> graphql_post(const Services& services, const auth::AuthContext& auth,
                                          http::Request& request, http::Response& response);
boost::asio::awaitable<void> graphql_get(const Services& services, const auth::AuthContext& auth,
                                         http::Request& request, http::Response& response);

// The request limits and switches of settings.graphql now (docs/graphql.md, "Limits"), for
// every transport.
graphql::RequestPolicy graphql_request_policy(const Services& services);

// The largest body a POST may have for a document limit of `max_document_bytes`: twice the
// document (room for its JSON escapes) plus 1 MiB for the variables and the rest. A longer
// document inside is refused by the parser's own limit.
std::uint64_t graphql_max_body_bytes(std::int64_t max_document_bytes) noexcept;

}  // namespace basalt::api
