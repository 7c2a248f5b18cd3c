#include "basalt/api/collection_handlers.hpp"

#include <boost/json/object.hpp>
#include <chrono>

#include "basalt/api/json_body.hpp"
#include "basalt/api/query_params.hpp"
#include "basalt/api/request_auth.hpp"
#include "basalt/collections/collection_store.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/query/parse_error.hpp"
#include "basalt/query/query_builder.hpp"
#include "basalt/query/resolve_error.hpp"
#include "basalt/schema/collection_defaults.hpp"
#include "basalt/schema/collection_json.hpp"
#include "basalt/schema/go_json.hpp"

namespace basalt::api {
namespace {

namespace json = boost::json;
using schema::Collection;

constexpr std::int64_t kDefaultPerPage = 30;
constexpr std::int64_t kMaxPerPage = 1000;
// Bounds the OFFSET computed from page (page * perPage must not overflow).
constexpr std::int64_t kMaxPage = 1'000'000'000;

boost::asio::awaitable<void> require_superuser_request(const Services& services,
                                                       const http::Request& request) {
  require_superuser(co_await request_auth(services, request));
}

// `_collections` described as a collection, so the filter language can filter and sort the
// collections list on the columns PocketBase allows there.
const Collection& collections_table() {
  static const Collection table = [] {
    Collection c;
    c.id = std::string(collections::kCollectionsTable);
    c.name = std::string(collections::kCollectionsTable);
    c.fields.push_back(schema::default_id_field());
    c.fields.emplace_back("name", schema::TextOptions{});
    c.fields.emplace_back("type", schema::TextOptions{});
    c.fields.emplace_back("system", schema::BoolOptions{});
    schema::AutodateOptions stamp{true, true};
    c.fields.emplace_back("created", stamp);
    c.fields.emplace_back("updated", stamp);
    return c;
  }();
  return table;
}

const Collection& find_or_404(const collections::Catalog& catalog, std::string_view id_or_name) {
  const Collection* collection = catalog.find(id_or_name);
  if (!collection) throw core::ApiError::not_found();
  return *collection;
}

void collection_response(http::Response& response, const Collection& collection) {
  response.json(200, schema::serialize_collection(collection, schema::JsonForm::kPublic));
}

}  // namespace

boost::asio::awaitable<void> list_collections(const Services& services, http::Request& request,
                                              http::Response& response) {
  co_await require_superuser_request(services, request);
  QueryParams params = query_params(request);
  std::int64_t page = int_param(params, "page", 1);
  std::int64_t per_page = int_param(params, "perPage", kDefaultPerPage);
  page = page <= 0 ? 1 : std::min(page, kMaxPage);
  per_page = per_page <= 0 ? kDefaultPerPage : std::min(per_page, kMaxPerPage);
  const bool skip_total = bool_param(params, "skipTotal");
  const std::string filter = param_or(params, "filter");
  const std::string sort = param_or(params, "sort");

  auto catalog = services.collections.catalog();
  const Collection& table = collections_table();
  const db::Dialect& dialect = services.database.dialect();
  const auto now = std::chrono::system_clock::now();
  query::RequestInfo info;
  query::ResolveContext context{table, std::span<const Collection>(&table, 1), nullptr,
                                query::ResolveMode::kClient, true};
  query::PlanPtr filter_plan;
  query::PlanPtr sort_plan;
  try {
    if (!filter.empty()) filter_plan = services.plans.filter(context, catalog->version(), filter);
    if (!sort.empty()) sort_plan = services.plans.sort(context, catalog->version(), sort);
  } catch (const query::ParseError&) {
    throw core::ApiError::bad_request();
  } catch (const query::ResolveError&) {
    throw core::ApiError::bad_request();
  }

  std::string select;
  std::string count;
  db::Params select_params;
  db::Params count_params;
  std::size_t next = 1;
  if (filter_plan || sort_plan) {
    query::QueryBuilder builder(dialect, filter_plan ? *filter_plan : *sort_plan);
    if (filter_plan) builder.add_filter(*filter_plan, info, now);
    if (sort_plan) builder.add_sort(*sort_plan, info, now);
    query::CompiledQuery compiled = std::move(builder).finish();
    select = compiled.select_sql(compiled.table + "." + dialect.quote_identifier("id"));
    count = compiled.count_sql();
    select_params = compiled.params;
    count_params = compiled.count_params();
    next = compiled.next_placeholder;
  } else {
    select = "SELECT id FROM _collections ORDER BY rowid";
    count = "SELECT COUNT(*) FROM _collections";
  }
  select += " LIMIT " + dialect.placeholder(next) + " OFFSET " + dialect.placeholder(next + 1);
  select_params.emplace_back(per_page);
  select_params.emplace_back((page - 1) * per_page);

  db::ResultSet rows = co_await services.database.query(select, select_params);
  json::array items;
  for (auto row : rows) {
    if (const Collection* collection = catalog->find(row.as_text(0))) {
      items.push_back(schema::collection_to_json(*collection, schema::JsonForm::kPublic));
    }
  }
  std::int64_t total = -1;
  std::int64_t pages = -1;
  if (!skip_total) {
    db::ResultSet counted = co_await services.database.query(count, count_params);
    total = counted[0].as_int(0);
    pages = (total + per_page - 1) / per_page;
  }
  json::object body;
  body["items"] = std::move(items);
  body["page"] = page;
  body["perPage"] = per_page;
  body["totalItems"] = total;
  body["totalPages"] = pages;
  response.json_list(200, schema::serialize_go_json(body));
}

boost::asio::awaitable<void> view_collection(const Services& services, http::Request& request,
                                             http::Response& response) {
  co_await require_superuser_request(services, request);
  auto catalog = services.collections.catalog();
  collection_response(response, find_or_404(*catalog, request.param("collection")));
}

boost::asio::awaitable<void> create_collection(const Services& services, http::Request& request,
                                               http::Response& response) {
  co_await require_superuser_request(services, request);
  json::value body = json_body(request);
  collection_response(response, co_await services.collections.create(body));
}

boost::asio::awaitable<void> update_collection(const Services& services, http::Request& request,
                                               http::Response& response) {
  co_await require_superuser_request(services, request);
  json::value body = json_body(request);
  collection_response(response,
                      co_await services.collections.update(request.param("collection"), body));
}

boost::asio::awaitable<void> delete_collection(const Services& services, http::Request& request,
                                               http::Response& response) {
  co_await require_superuser_request(services, request);
  co_await services.collections.remove(request.param("collection"));
  response.content(204, {}, {});
}

boost::asio::awaitable<void> import_collections(const Services& services, http::Request& request,
                                                http::Response& response) {
  co_await require_superuser_request(services, request);
  json::object body = json_body(request);
  const json::value* flag = body.if_contains("deleteMissing");
  const bool delete_missing = flag && flag->is_bool() && flag->as_bool();
  // A named local, not a temporary in the co_await expression: GCC 12 destroys such
  // temporaries twice when the coroutine resumes.
  json::value collections = body.contains("collections") ? body.at("collections") : json::value();
  co_await services.collections.import(collections, delete_missing);
  response.content(204, {}, {});
}

boost::asio::awaitable<void> collection_scaffolds(const Services& services, http::Request& request,
                                                  http::Response& response) {
  co_await require_superuser_request(services, request);
  json::object body;
  for (auto type : {schema::CollectionType::kAuth, schema::CollectionType::kBase,
                    schema::CollectionType::kView}) {
    Collection scaffold = schema::new_collection(type, "");
    scaffold.id.clear();  // blanked, as PocketBase's scaffolds
    body[schema::collection_type_name(type)] =
        schema::collection_to_json(scaffold, schema::JsonForm::kPublic);
  }
  response.json(200, schema::serialize_go_json(body));
}

}  // namespace basalt::api
