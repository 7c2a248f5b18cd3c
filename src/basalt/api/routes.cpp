#include "basalt/api/routes.hpp"

#include "basalt/api/auth_handlers.hpp"
#include "basalt/api/batch_handler.hpp"
#include "basalt/api/collection_handlers.hpp"
#include "basalt/api/health.hpp"
#include "basalt/api/record_handlers.hpp"
#include "basalt/api/settings_handlers.hpp"

namespace basalt::api {
namespace {

// A handler that takes the services, bound for the route table.
using ServiceHandler = boost::asio::awaitable<void> (*)(const Services&, http::Request&,
                                                        http::Response&);

http::Handler bind(const Services& services, ServiceHandler handler) {
  return [&services, handler](http::Request& request, http::Response& response) {
    return handler(services, request, response);
  };
}

}  // namespace

std::vector<http::Route> routes(const Services& services) {
  using http::Method;
  return {
      {Method::kGet, "/api/health", health},
      {Method::kGet, "/api/collections", bind(services, list_collections)},
      {Method::kPost, "/api/collections", bind(services, create_collection)},
      {Method::kPut, "/api/collections/import", bind(services, import_collections)},
      {Method::kGet, "/api/collections/meta/scaffolds", bind(services, collection_scaffolds)},
      {Method::kGet, "/api/collections/{collection}", bind(services, view_collection)},
      {Method::kPatch, "/api/collections/{collection}", bind(services, update_collection)},
      {Method::kDelete, "/api/collections/{collection}", bind(services, delete_collection)},
      {Method::kPost, "/api/collections/{collection}/auth-with-password",
       bind(services, auth_with_password)},
      {Method::kPost, "/api/collections/{collection}/auth-refresh", bind(services, auth_refresh)},
      {Method::kGet, "/api/collections/{collection}/auth-methods", bind(services, auth_methods)},
      {Method::kDelete, "/api/collections/{collection}/truncate",
       bind(services, truncate_collection)},
      {Method::kGet, "/api/collections/{collection}/records", bind(services, list_records)},
      {Method::kPost, "/api/collections/{collection}/records", bind(services, create_record)},
      {Method::kGet, "/api/collections/{collection}/records/{id}", bind(services, view_record)},
      {Method::kPatch, "/api/collections/{collection}/records/{id}", bind(services, update_record)},
      {Method::kDelete, "/api/collections/{collection}/records/{id}",
       bind(services, delete_record)},
      {Method::kPost, "/api/batch", bind(services, batch_records)},
      {Method::kGet, "/api/settings", bind(services, get_settings)},
      {Method::kPatch, "/api/settings", bind(services, patch_settings)},
  };
}

}  // namespace basalt::api
