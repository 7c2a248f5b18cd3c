// REST handlers of the collections API (docs/api.md, "Routes"), superusers only (401 without a
// token, 403 for any other auth record). Each is a thin door onto collections::CollectionService:
//   GET    /api/collections                   list: page, perPage, sort, filter, skipTotal on
//                                             id, created, updated, name, system, type
//   GET    /api/collections/{collection}      one collection (404)
//   POST   /api/collections                   create -> 200 + the collection
//   PATCH  /api/collections/{collection}      update -> 200 + the collection
//   DELETE /api/collections/{collection}      delete -> 204
//   PUT    /api/collections/import            {"collections":[...],"deleteMissing":bool} -> 204
//   GET    /api/collections/meta/scaffolds    the default base/auth/view models
// Responses carry the public JSON (token secrets left out).
#pragma once

#include <boost/asio/awaitable.hpp>

#include "basalt/api/services.hpp"
#include "basalt/auth/auth_context.hpp"
#include "basalt/http/request.hpp"
#include "basalt/http/response.hpp"

namespace basalt::api {

boost::asio::awaitable<void> list_collections(const Services&, const auth::AuthContext&,
                                              http::Request&, http::Response&);
boost::asio::awaitable<void> view_collection(const Services&, const auth::AuthContext&,
                                             http::Request&, http::Response&);
boost::asio::awaitable<void> create_collection(const Services&, const auth::AuthContext&,
                                               http::Request&, http::Response&);
boost::asio::awaitable<void> update_collection(const Services&, const auth::AuthContext&,
                                               http::Request&, http::Response&);
boost::asio::awaitable<void> delete_collection(const Services&, const auth::AuthContext&,
                                               http::Request&, http::Response&);
boost::asio::awaitable<void> import_collections(const Services&, const auth::AuthContext&,
                                                http::Request&, http::Response&);
boost::asio::awaitable<void> collection_scaffolds(const Services&, const auth::AuthContext&,
                                                  http::Request&, http::Response&);

}  // namespace basalt::api
