// REST handlers of the request logs (docs/observability.md, "Logs API"), superusers only:
//   GET /api/logs          a page of entries: page, perPage, filter, sort, skipTotal, as a
//                          records list (fields id, created, level, message, data, data.<path>)
//   GET /api/logs/stats    [{total, date}] per hour, of the entries `filter` keeps; 400
//                          "Invalid filter format." for a filter that does not compile
//   GET /api/logs/{id}     one entry; 404 when there is none
//   DELETE /api/logs       every entry deleted (PocketBase 0.40's truncate, pb.logs.truncate());
//                          204, or 500 "Failed to truncate all logs."
// Their own successful requests are not logged (PocketBase's SkipSuccessActivityLog).
#pragma once

#include <boost/asio/awaitable.hpp>

#include "basalt/api/services.hpp"
#include "basalt/auth/auth_context.hpp"
#include "basalt/http/request.hpp"
#include "basalt/http/response.hpp"

namespace basalt::api {

boost::asio::awaitable<void> list_logs(const Services&, const auth::AuthContext&, http::Request&,
                                       http::Response&);
boost::asio::awaitable<void> log_stats(const Services&, const auth::AuthContext&, http::Request&,
                                       http::Response&);
boost::asio::awaitable<void> truncate_logs(const Services&, const auth::AuthContext&,
                                           http::Request&, http::Response&);
boost::asio::awaitable<void> view_log(const Services&, const auth::AuthContext&, http::Request&,
                                      http::Response&);

}  // namespace basalt::api
