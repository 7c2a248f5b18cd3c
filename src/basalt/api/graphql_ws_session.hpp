// GraphQL over WebSocket on GET /api/graphql (docs/graphql.md, "Subscriptions"): the upgrade,
// then one session per socket speaking the sub-protocol the client asked for:
//
//   graphql-transport-ws  (the `graphql-ws` library's protocol)  connection_init -> ack,
//                         ping/pong, subscribe/next/error/complete, close codes 4400 4401 4403
//                         4406 4408 4409 4429
//   graphql-ws            (legacy subscriptions-transport-ws)     connection_init -> ack / error,
//                         start/data/error/complete/stop, connection_terminate
//
// Every operation is a graphql::LiveQuery: queries and mutations run once, subscriptions are
// live queries, all through GraphqlService with the caller connection_init authenticated (the
// same Authenticator as REST: `payload.headers.Authorization`, else the upgrade's header).
//
// Threads and ownership: the session runs on the worker that accepted the connection (an
// http::StreamBody) and is the only user of its socket: one reader (the session coroutine, Beast
// reading and answering control frames), the operations' sends and one writer coroutine, all on
// that thread. Every message is framed by the session (a shared run's `next` once per worker)
// and goes to the kernel with one non-blocking send(2) when nothing is queued; what the kernel
// does not take waits in the outbound queue, which the writer drains. Beast's own frames and
// the session's never cut each other (api/ws_gated_socket.hpp). The session returns only after
// the writer has finished and every operation has been stopped.
//
// Bounds: a message at most graphql_max_body_bytes() (larger: close 1009); 100 operations at a
// time (more: an error for that id); the outbound queue at most realtime-send-buffer bytes (a
// client that does not read is disconnected, as realtime clients are); connection_init within
// 3 seconds (4408); Beast's idle timeout with keep-alive pings ends dead peers.
#pragma once

#include "basalt/api/services.hpp"
#include "basalt/auth/auth_context.hpp"
#include "basalt/http/request.hpp"
#include "basalt/http/response.hpp"

namespace basalt::api {

// A GET with `Upgrade: websocket`.
bool is_websocket_upgrade(const http::Request& request);

// Answers the upgrade: 400 when the client lists sub-protocols and none is ours; otherwise the
// response becomes the session (a client that lists none is accepted and closed with 4406).
void graphql_ws_upgrade(const Services& services, const auth::AuthContext& auth,
                        const http::Request& request, http::Response& response);

}  // namespace basalt::api
