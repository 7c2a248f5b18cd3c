// REST handlers of the webhooks (docs/events.md, "Managing webhooks"), superusers only:
//   GET    /api/webhooks                          every endpoint: {page, perPage, totalItems,
//                                                 totalPages, items} (one page; secrets masked)
//   POST   /api/webhooks                          create: url, secret (generated when absent),
//                                                 headers, collections, actions, filter,
//                                                 enabled, maxAttempts; answers the endpoint
//                                                 with its secret; 400 with per-field `data`
//   GET    /api/webhooks/{id}                     one endpoint (secret masked)
//   PATCH  /api/webhooks/{id}                     change the keys given
//   DELETE /api/webhooks/{id}                     204; its delivery log goes with it
//   GET    /api/webhooks/{id}/deliveries          the delivery log, newest first (page,
//                                                 perPage ≤ 500)
//   POST   /api/webhooks/{id}/deliveries/{deliveryId}/redeliver
//                                                 204: the delivery's event is queued again
#pragma once

#include <boost/asio/awaitable.hpp>

#include "basalt/api/services.hpp"
#include "basalt/auth/auth_context.hpp"
#include "basalt/http/request.hpp"
#include "basalt/http/response.hpp"

namespace basalt::api {

boost::asio::awaitable<void> list_webhooks(const Services&, const auth::AuthContext&,
                                           http::Request&, http::Response&);
boost::asio::awaitable<void> create_webhook(const Services&, const auth::AuthContext&,
                                            http::Request&, http::Response&);
boost::asio::awaitable<void> view_webhook(const Services&, const auth::AuthContext&, http::Request&,
                                          http::Response&);
boost::asio::awaitable<void> update_webhook(const Services&, const auth::AuthContext&,
                                            http::Request&, http::Response&);
boost::asio::awaitable<void> delete_webhook(const Services&, const auth::AuthContext&,
                                            http::Request&, http::Response&);
boost::asio::awaitable<void> list_webhook_deliveries(const Services&, const auth::AuthContext&,
                                                     http::Request&, http::Response&);
boost::asio::awaitable<void> redeliver_webhook_delivery(const Services&, const auth::AuthContext&,
                                                        http::Request&, http::Response&);

}  // namespace basalt::api
