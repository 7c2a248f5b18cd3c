#include "basalt/api/collection_handlers.hpp"

#include <boost/json/object.hpp>

#include "basalt/api/query_params.hpp"
#include "basalt/api/request_body.hpp"
#include "basalt/collections/collection_list.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/schema/collection_defaults.hpp"
#include "basalt/schema/collection_json.hpp"
#include "basalt/schema/go_json.hpp"

namespace basalt::api {
namespace {

namespace json = boost::json;
using schema::Collection;

const Collection& find_or_404(const collections::Catalog& catalog, std::string_view id_or_name) {
  const Collection* collection = catalog.find(id_or_name);
  if (!collection) throw core::ApiError::not_found();
  return *collection;
}

void collection_response(http::Response& response, const Collection& collection) {
  response.json(200, schema::serialize_collection(collection, schema::JsonForm::kPublic));
}

}  // namespace

boost::asio::awaitable<void> list_collections(const Services& services, const auth::AuthContext&,
                                              http::Request& request, http::Response& response) {
  const QueryParams params = query_params(request);
  collections::CollectionListQuery list;
  list.page = int_param(params, "page", 1);
  list.per_page = int_param(params, "perPage", 30);
  list.filter = param_or(params, "filter");
  list.sort = param_or(params, "sort");
  list.skip_total = bool_param(params, "skipTotal");
  collections::CollectionPage page = co_await collections::list_collections(
      services.database, services.plans, services.collections.catalog(), std::move(list),
      services.clock.now());
  json::array items;
  for (const Collection* collection : page.items) {
    items.push_back(schema::collection_to_json(*collection, schema::JsonForm::kPublic));
  }
  json::object body;
  body["items"] = std::move(items);
  body["page"] = page.page;
  body["perPage"] = page.per_page;
  body["totalItems"] = page.total_items;
  body["totalPages"] = page.total_pages;
  response.json_list(200, schema::serialize_go_json(body));
}

boost::asio::awaitable<void> view_collection(const Services& services, const auth::AuthContext&,
                                             http::Request& request, http::Response& response) {
  auto catalog = services.collections.catalog();
  collection_response(response, find_or_404(*catalog, request.param("collection")));
  co_return;
}

boost::asio::awaitable<void> create_collection(const Services& services, const auth::AuthContext&,
                                               http::Request& request, http::Response& response) {
  json::value body = request_body(request).data;
  collection_response(response, co_await services.collections.create(body));
}

boost::asio::awaitable<void> update_collection(const Services& services, const auth::AuthContext&,
                                               http::Request& request, http::Response& response) {
  json::value body = request_body(request).data;
  collection_response(response,
                      co_await services.collections.update(request.param("collection"), body));
}

boost::asio::awaitable<void> delete_collection(const Services& services, const auth::AuthContext&,
                                               http::Request& request, http::Response& response) {
  // Its files are queued in the same commit and removed after it, off this request
  // (collections/file_removals.hpp, docs/files.md).
  co_await services.collections.remove(request.param("collection"));
  response.content(204, {}, {});
}

boost::asio::awaitable<void> import_collections(const Services& services, const auth::AuthContext&,
                                                http::Request& request, http::Response& response) {
  json::object body = request_body(request).data;
  const json::value* flag = body.if_contains("deleteMissing");
  const bool delete_missing = flag && flag->is_bool() && flag->as_bool();
  // A named local, not a temporary in the co_await expression: GCC 12 destroys such
  // temporaries twice when the coroutine resumes.
  json::value collections = body.contains("collections") ? body.at("collections") : json::value();
  co_await services.collections.import(collections, delete_missing);
  response.content(204, {}, {});
}

boost::asio::awaitable<void> collection_scaffolds(const Services&, const auth::AuthContext&,
                                                  http::Request&, http::Response& response) {
  json::object body;
  for (auto type : {schema::CollectionType::kAuth, schema::CollectionType::kBase,
                    schema::CollectionType::kView}) {
    Collection scaffold = schema::new_collection(type, "");
    scaffold.id.clear();  // blanked, as PocketBase's scaffolds
    body[schema::collection_type_name(type)] =
        schema::collection_to_json(scaffold, schema::JsonForm::kPublic);
  }
  response.json(200, schema::serialize_go_json(body));
  co_return;
}

}  // namespace basalt::api
