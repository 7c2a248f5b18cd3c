// GraphQL over server-sent events at GET|POST /api/graphql/stream (docs/graphql.md,
// "Subscriptions"): graphql-sse's "distinct connections" mode, one operation per connection.
//
//   POST  body application/json {query, variables?, operationName?, extensions?}
//   GET   the same as query parameters (variables, extensions as JSON text)
//   -> 200 text/event-stream: `event: next` with an execution result per change of a live
//      query (once for a query), then `event: complete` (with an empty `data:` for EventSource).
//      Errors before execution (parse, validation, variables) arrive as a next event holding
//      them, as the protocol asks; a malformed HTTP request is a 4xx before the stream starts.
//
// The caller is the request's (its Authorization header, as REST). The stream ends when the
// operation completes or the client closes the connection.
//
// Threads: the stream runs on the worker that accepted the connection, with its LiveQuery; the
// stream's own coroutine reads only to notice the client leaving. An event goes to the kernel
// in the delivery pass with one non-blocking send(2) when nothing is queued or being written (a
// shared run's `next` event built once per worker); what the kernel does not take waits in the
// queue, which one writer coroutine drains. Bounds: the body as
// POST /api/graphql's, the queue at most realtime-send-buffer bytes (a client that does not
// read is disconnected).
#pragma once

#include <boost/asio/awaitable.hpp>

#include "basalt/api/services.hpp"
#include "basalt/auth/auth_context.hpp"
#include "basalt/http/request.hpp"
#include "basalt/http/response.hpp"

namespace basalt::api {

boost::asio::awaitable<void> graphql_stream(const Services& services, const auth::AuthContext& auth,
                                            http::Request& request, http::Response& response);

}  // namespace basalt::api
