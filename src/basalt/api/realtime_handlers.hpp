// REST face of realtime (docs/realtime.md): GET /api/realtime opens a client's event stream,
// POST /api/realtime sets its subscriptions. The protocol and delivery live in
// realtime::Broker; these only read the request.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "basalt/api/services.hpp"
#include "basalt/auth/auth_context.hpp"
#include "basalt/http/request.hpp"
#include "basalt/http/response.hpp"

namespace basalt::api {

// 200 text/event-stream, kept open (PB_CONNECT first); 503 past realtime-max-clients.
boost::asio::awaitable<void> connect_realtime(const Services& services,
                                              const auth::AuthContext& auth, http::Request& request,
                                              http::Response& response);
// 204; 400 bad body / topics / options or another address, 403 a filter the caller may not
// use or changed auth, 404 unknown client.
boost::asio::awaitable<void> set_realtime_subscriptions(const Services& services,
                                                        const auth::AuthContext& auth,
                                                        http::Request& request,
                                                        http::Response& response);

}  // namespace basalt::api
