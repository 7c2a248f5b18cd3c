// REST handlers of the cron jobs and the durable job queue (docs/jobs.md), superusers only:
//   GET  /api/crons        [{id, expression}] sorted as PocketBase sorts them: ids not starting
//                          with "__pb" by id, then the "__pb" ones in registration order
//   POST /api/crons/{id}   stores a run of the cron now and answers 204 at once (the run
//                          happens on a job runner thread); 404 "Missing or invalid cron job."
//                          for an unknown id
//   GET  /api/jobs         Basalt's own: the newest queued, running, failed or done jobs
//                          (`state` filter, `limit` 1..500, default 100), without payloads
#pragma once

#include <boost/asio/awaitable.hpp>

#include "basalt/api/services.hpp"
#include "basalt/auth/auth_context.hpp"
#include "basalt/http/request.hpp"
#include "basalt/http/response.hpp"

namespace basalt::api {

boost::asio::awaitable<void> list_crons(const Services&, const auth::AuthContext&, http::Request&,
                                        http::Response&);
boost::asio::awaitable<void> run_cron(const Services&, const auth::AuthContext&, http::Request&,
                                      http::Response&);
boost::asio::awaitable<void> list_jobs(const Services&, const auth::AuthContext&, http::Request&,
                                       http::Response&);

}  // namespace basalt::api
