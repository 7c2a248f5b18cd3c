#include "basalt/collections/collection_list.hpp"

#include <algorithm>
#include <chrono>

#include "basalt/collections/collection_store.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/query/parse_error.hpp"
#include "basalt/query/query_builder.hpp"
#include "basalt/query/resolve_error.hpp"
#include "basalt/schema/collection_defaults.hpp"

namespace basalt::collections {
namespace {

using schema::Collection;

constexpr std::int64_t kDefaultPerPage = 30;
constexpr std::int64_t kMaxPerPage = 1000;
// Bounds the OFFSET computed from page (page * perPage must not overflow).
constexpr std::int64_t kMaxPage = 1'000'000'000;

// `_collections` described as a collection, so the filter language can filter and sort the
// collections list on the columns PocketBase allows there.
const Collection& collections_table() {
  static const Collection table = [] {
    Collection c;
    c.id = std::string(kCollectionsTable);
    c.name = std::string(kCollectionsTable);
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

}  // namespace

boost::asio::awaitable<CollectionPage> list_collections(db::Database& database,
                                                        query::PlanCache& plans,
                                                        std::shared_ptr<const Catalog> catalog,
                                                        CollectionListQuery list,
                                                        std::chrono::system_clock::time_point now) {
  CollectionPage page;
  page.catalog = std::move(catalog);
  page.page = list.page <= 0 ? 1 : std::min(list.page, kMaxPage);
  page.per_page = list.per_page <= 0 ? kDefaultPerPage : std::min(list.per_page, kMaxPerPage);

  const Collection& table = collections_table();
  const db::Dialect& dialect = database.dialect();
  query::RequestInfo info;
  query::ResolveContext context{table, std::span<const Collection>(&table, 1), nullptr,
                                query::ResolveMode::kClient, true};
  query::PlanPtr filter_plan;
  query::PlanPtr sort_plan;
  try {
    const std::uint64_t version = page.catalog->version();
    if (!list.filter.empty()) filter_plan = plans.filter(context, version, list.filter);
    if (!list.sort.empty()) sort_plan = plans.sort(context, version, list.sort);
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
    select = "SELECT id FROM _collections ORDER BY " + dialect.insertion_order();
    count = "SELECT COUNT(*) FROM _collections";
  }
  select += " LIMIT " + dialect.placeholder(next) + " OFFSET " + dialect.placeholder(next + 1);
  select_params.emplace_back(page.per_page);
  select_params.emplace_back((page.page - 1) * page.per_page);

  db::ResultSet rows = co_await database.query(select, select_params);
  for (auto row : rows) {
    if (const Collection* collection = page.catalog->find(row.as_text(0))) {
      page.items.push_back(collection);
    }
  }
  if (!list.skip_total) {
    db::ResultSet counted = co_await database.query(count, count_params);
    page.total_items = counted[0].as_int(0);
    page.total_pages = (page.total_items + page.per_page - 1) / page.per_page;
  }
  co_return page;
}

}  // namespace basalt::collections
