#include "basalt/logs/log_queries.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <span>

#include "basalt/core/api_error.hpp"
#include "basalt/query/parse_error.hpp"
#include "basalt/query/query_builder.hpp"
#include "basalt/query/resolve_error.hpp"
#include "basalt/query/text_error_data.hpp"
#include "basalt/schema/collection.hpp"

namespace basalt::logs {
namespace {

namespace json = boost::json;
using schema::Collection;

constexpr std::int64_t kDefaultPerPage = 30;
constexpr std::int64_t kMaxPerPage = 1000;
constexpr std::int64_t kMaxPage = 1'000'000'000;  // page * perPage stays far from overflow
// The plans of `_logs` never change with a schema: one version for all of them.
constexpr std::uint64_t kLogsSchemaVersion = 1;
// The scans and the stats run under this budget on the read pool (a log table can be large).
constexpr std::chrono::milliseconds kScanBudget{10'000};

// `_logs` described as a collection, so the filter language reads its columns: a json `data`
// makes every `data.<path>` a JSON path, as PocketBase's `^data\.[\w\.\:]*\w+$` field does.
const Collection& logs_table() {
  static const Collection table = [] {
    Collection c;
    c.id = std::string(kLogsTable);
    c.name = std::string(kLogsTable);
    c.fields.emplace_back("id", schema::TextOptions{});
    c.fields.emplace_back("created", schema::AutodateOptions{true, false});
    c.fields.emplace_back("level", schema::NumberOptions{});
    c.fields.emplace_back("message", schema::TextOptions{});
    c.fields.emplace_back("data", schema::JsonOptions{});
    return c;
  }();
  return table;
}

query::ResolveContext logs_context() {
  const Collection& table = logs_table();
  return {table, std::span<const Collection>(&table, 1), nullptr, query::ResolveMode::kClient,
          true};
}

struct LogPlans {
  query::PlanPtr filter;
  query::PlanPtr sort;
};

// The plans of `filter` and `sort` (either may be empty), or a 400 with `message`
// (PocketBase's text for the route; empty: the generic one).
LogPlans resolve(query::PlanCache& plans, const std::string& filter, const std::string& sort,
                 const std::string& message) {
  // The logs are superusers' only, so every error says where it is (query/text_error_data.hpp).
  const auto plan = [&](std::string_view key, auto&& make) -> query::PlanPtr {
    try {
      return make();
    } catch (const query::ParseError& error) {
      throw core::ApiError::bad_request(message, query::text_error_data(key, error));
    } catch (const query::ResolveError& error) {
      throw core::ApiError::bad_request(message, query::text_error_data(key, error));
    }
  };
  LogPlans out;
  if (!filter.empty()) {
    out.filter =
        plan("filter", [&] { return plans.filter(logs_context(), kLogsSchemaVersion, filter); });
  }
  if (!sort.empty()) {
    out.sort = plan("sort", [&] { return plans.sort(logs_context(), kLogsSchemaVersion, sort); });
  }
  return out;
}

query::CompiledQuery compile(const db::Dialect& dialect, const LogPlans& plans,
                             const query::RequestInfo& info,
                             std::chrono::system_clock::time_point now) {
  query::QueryBuilder builder(dialect, plans.filter ? *plans.filter : *plans.sort);
  if (plans.filter) builder.add_filter(*plans.filter, info, now);
  if (plans.sort) builder.add_sort(*plans.sort, info, now);
  return std::move(builder).finish();
}

std::string qualified_columns(const std::string& table) {
  std::string out;
  for (std::string_view column : {"id", "created", "data", "message", "level"}) {
    if (!out.empty()) out += ", ";
    out += table + "." + std::string(column);
  }
  return out;
}

json::object entry_json(db::ResultSet::Row row) {
  json::object entry;
  entry["id"] = row.as_text(0);
  entry["created"] = row.as_text(1);
  boost::system::error_code ec;
  json::value data = json::parse(row.as_text(2), ec);
  entry["data"] = ec || !data.is_object() ? json::value(json::object()) : std::move(data);
  entry["message"] = row.as_text(3);
  entry["level"] = row.as_int(4);
  return entry;
}

}  // namespace

boost::asio::awaitable<json::object> list_logs(LogStore& store, query::PlanCache& plans,
                                               LogListQuery list,
                                               std::chrono::system_clock::time_point now) {
  const std::int64_t page = list.page <= 0 ? 1 : std::min(list.page, kMaxPage);
  const std::int64_t per_page =
      list.per_page <= 0 ? kDefaultPerPage : std::min(list.per_page, kMaxPerPage);
  const LogPlans resolved = resolve(plans, list.filter, list.sort, {});
  db::Database& database = store.database();
  const db::Dialect& dialect = database.dialect();
  const query::RequestInfo info;

  std::string select;
  std::string count;
  db::Params select_params;
  db::Params count_params;
  std::size_t next = 1;
  if (resolved.filter || resolved.sort) {
    query::CompiledQuery compiled = compile(dialect, resolved, info, now);
    select = compiled.select_sql(qualified_columns(compiled.table));
    // Unsorted: the order entries were written in, as PocketBase's unsorted query reads them.
    if (compiled.order_by.empty()) select += " ORDER BY " + compiled.rowid;
    count = compiled.count_sql();
    select_params = compiled.params;
    count_params = compiled.count_params();
    next = compiled.next_placeholder;
  } else {
    select = "SELECT " + qualified_columns("_logs") + " FROM _logs ORDER BY _logs.rowid";
    count = "SELECT COUNT(*) FROM _logs";
  }
  select += " LIMIT " + dialect.placeholder(next) + " OFFSET " + dialect.placeholder(next + 1);
  select_params.emplace_back(per_page);
  select_params.emplace_back((page - 1) * per_page);

  const db::ReadOptions scan{true, kScanBudget};
  db::ResultSet rows = co_await database.query(select, select_params, scan);
  json::array items;
  for (auto row : rows) items.push_back(entry_json(row));
  std::int64_t total_items = -1;
  std::int64_t total_pages = -1;
  if (!list.skip_total) {
    db::ResultSet counted = co_await database.query(count, count_params, scan);
    total_items = counted[0].as_int(0);
    total_pages = (total_items + per_page - 1) / per_page;
  }
  json::object body;
  body["page"] = page;
  body["perPage"] = per_page;
  body["totalItems"] = total_items;
  body["totalPages"] = total_pages;
  body["items"] = std::move(items);
  co_return body;
}

boost::asio::awaitable<json::array> log_stats(LogStore& store, query::PlanCache& plans,
                                              std::string filter,
                                              std::chrono::system_clock::time_point now) {
  const LogPlans resolved = resolve(plans, filter, {}, "Invalid filter format.");
  db::Database& database = store.database();
  const query::RequestInfo info;
  // Grouped by the very expression of idx_logs_created_hour_text ("2026-01-02 15"), so the
  // index can answer it.
  constexpr std::string_view kHour = "substr(_logs.created, 1, 13)";
  // COUNT(*), as `id` is never NULL: the index alone answers an unfiltered count.
  std::string sql = "SELECT COUNT(*), " + std::string(kHour) + " FROM ";
  db::Params params;
  if (resolved.filter) {
    query::CompiledQuery compiled = compile(database.dialect(), resolved, info, now);
    sql += compiled.from_sql();
    if (!compiled.where.empty()) sql += " WHERE " + compiled.where;
    params = compiled.count_params();
  } else {
    sql += "_logs";
  }
  sql += " GROUP BY " + std::string(kHour) + " ORDER BY " + std::string(kHour);
  const db::ReadOptions scan{true, kScanBudget};
  db::ResultSet rows = co_await database.query(sql, params, scan);
  json::array stats;
  for (auto row : rows) {
    json::object item;
    item["total"] = row.as_int(0);
    // PocketBase's datetime text for the hour.
    item["date"] = std::string(row.as_text(1)) + ":00:00.000Z";
    stats.push_back(std::move(item));
  }
  co_return stats;
}

boost::asio::awaitable<std::optional<json::object>> find_log(LogStore& store, std::string id) {
  db::Database& database = store.database();
  const std::string sql = "SELECT " + qualified_columns("_logs") +
                          " FROM _logs WHERE _logs.id = " + database.dialect().placeholder(1) +
                          " LIMIT 1";
  const db::Params params = db::make_params(id);
  db::ResultSet rows = co_await database.query(sql, params);
  if (rows.empty()) co_return std::nullopt;
  co_return entry_json(rows[0]);
}

}  // namespace basalt::logs
