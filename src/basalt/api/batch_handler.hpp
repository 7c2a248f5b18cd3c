// POST /api/batch (docs/records.md, "Batch"): several record writes in ONE transaction, all or
// nothing.
//
// Body: JSON or multipart with an `@jsonPayload` part (what the SDK's createBatch().send()
// sends): {"requests":[{"method","url","headers","body"}, ...]}; files as parts named
// `requests.<i>.<field>` or `requests[<i>].<field>`. Each sub-request is one of
//   POST   /api/collections/{c}/records        create
//   PUT    /api/collections/{c}/records        upsert (update when body.id exists, else create)
//   PATCH  /api/collections/{c}/records/{id}   update
//   DELETE /api/collections/{c}/records/{id}   delete
// with the caller's auth (a sub-request's own Authorization header is ignored; its other
// headers are what @request.headers sees) and full rule checks, context "batch". The `expand`
// of a sub-request's URL applies to its response body.
//
// Limits from the settings' `batch` section: disabled → 403 "Batch requests are not allowed.";
// more than maxRequests → 400 on `requests`; the body beyond maxBodySize → 413; the whole
// transaction past `timeout` seconds fails at the sub-request that ran over.
// Success: 200 [{"body": <record or null>, "status": 200|204}, ...] in request order.
// Failure: 400 "Batch transaction failed." with data.requests.<i> = {code
// "batch_request_failed", message "Batch request failed.", response: <the sub-error body>}.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "basalt/api/services.hpp"
#include "basalt/auth/auth_context.hpp"
#include "basalt/http/request.hpp"
#include "basalt/http/response.hpp"

namespace basalt::api {

boost::asio::awaitable<void> batch_records(const Services& services, const auth::AuthContext& auth,
                                           http::Request& request, http::Response& response);

}  // namespace basalt::api
