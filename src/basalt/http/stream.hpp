// StreamBody: a response that keeps its connection for a long-lived stream (server-sent
// events). The handler sets it with Response::stream(); the connection writes the status line
// and headers (no Content-Length, `Connection: close`: the body ends when the connection
// does), releases the request's buffers, then awaits the body with the socket until it
// returns. The transport knows nothing of what is streamed. A protocol upgrade
// (Response::upgrade, a WebSocket) is the same hand-over without the header: the body answers
// the handshake itself.
//
// Invariants (connection.hpp):
//  - the body runs on the connection's worker thread and owns every read and write of the
//    socket while it runs; nothing bounds its time (no write timeout): it bounds itself;
//  - the server's drain closes the socket of a streaming connection, so a body must treat a
//    failed read or write as the end and return promptly;
//  - the socket stays valid until the body returns, and not after: asynchronous operations it
//    started must have completed (or been cancelled and completed) by then.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>

namespace basalt::http {

using StreamBody = std::function<boost::asio::awaitable<void>(boost::asio::ip::tcp::socket&)>;

}  // namespace basalt::http
