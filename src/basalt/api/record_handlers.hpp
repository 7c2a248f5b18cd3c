// REST face of the record service (docs/records.md): list, view, create, update, delete of
// /api/collections/{collection}/records[/{id}], and the superusers' truncate. Thin: the request
// becomes a Caller, typed options and a RequestInfo; the service decides everything else.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "basalt/api/services.hpp"
#include "basalt/auth/auth_context.hpp"
#include "basalt/http/request.hpp"
#include "basalt/http/response.hpp"

namespace basalt::api {

boost::asio::awaitable<void> list_records(const Services& services, const auth::AuthContext& auth,
                                          http::Request& request, http::Response& response);
boost::asio::awaitable<void> view_record(const Services& services, const auth::AuthContext& auth,
                                         http::Request& request, http::Response& response);
boost::asio::awaitable<void> create_record(const Services& services, const auth::AuthContext& auth,
                                           http::Request& request, http::Response& response);
boost::asio::awaitable<void> update_record(const Services& services, const auth::AuthContext& auth,
                                           http::Request& request, http::Response& response);
boost::asio::awaitable<void> delete_record(const Services& services, const auth::AuthContext& auth,
                                           http::Request& request, http::Response& response);
// DELETE /api/collections/{collection}/truncate (docs/api.md, "Routes"): 204.
boost::asio::awaitable<void> truncate_collection(const Services& services,
                                                 const auth::AuthContext& auth,
                                                 http::Request& request, http::Response& response);

}  // namespace basalt::api
