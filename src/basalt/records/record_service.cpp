#include "basalt/records/record_service.hpp"

#include <algorithm>

#include "basalt/core/api_error.hpp"
#include "basalt/query/query_builder.hpp"
#include "basalt/query/resolver.hpp"
#include "basalt/records/expand.hpp"
#include "basalt/records/record_codec.hpp"
#include "basalt/records/service_support.hpp"

namespace basalt::records {
namespace {

namespace json = boost::json;

void refuse_superuser_only_references(const Caller& caller, const ListOptions& options) {
  if (caller.is_superuser()) return;
  for (const std::string* text : {&options.filter, &options.sort}) {
    if (auto reference = query::superuser_only_reference(*text)) {
      throw core::ApiError::forbidden("Only superusers can filter by " + std::string(*reference));
    }
  }
}

// The page statement and its COUNT, from the rule, filter and sort plans (any may be absent).
struct ListStatements {
  Statement select;  // without LIMIT/OFFSET; next placeholder in `next`
  Statement count;
  std::size_t next = 1;
};

ListStatements list_statements(const Access& access, const schema::Collection& collection,
                               std::span<const query::PlanPtr> filters, const query::PlanPtr& sort,
                               const query::RequestInfo& request) {
  const db::Dialect& dialect = access.dialect();
  ListStatements out;
  const query::Plan* table_plan = !filters.empty() ? filters.front().get() : sort.get();
  if (!table_plan) {
    const std::string table = dialect.quote_identifier(collection.name);
    out.select.sql = "SELECT " + qualified_columns(collection, dialect, table) + " FROM " + table;
    out.count.sql = "SELECT COUNT(*) FROM " + table;
    return out;
  }
  query::QueryBuilder builder(dialect, *table_plan);
  for (const auto& plan : filters) builder.add_filter(*plan, request, access.now());
  if (sort) builder.add_sort(*sort, request, access.now());
  query::CompiledQuery compiled = std::move(builder).finish();
  out.select.sql = compiled.select_sql(qualified_columns(collection, dialect, compiled.table));
  out.select.params = compiled.params;
  // Views have no rowid: they are counted by id.
  const std::string count_column =
      collection.is_view() ? compiled.table + "." + dialect.quote_identifier(schema::kFieldId)
                           : std::string();
  out.count.sql = compiled.count_sql(count_column);
  out.count.params = compiled.count_params();
  out.next = compiled.next_placeholder;
  return out;
}

}  // namespace

RecordService::RecordService(db::Database& database, collections::CollectionService& collections,
                             query::PlanCache& plans, const PasswordPort& passwords,
                             EventBus& events)
    : database_(database),
      collections_(collections),
      plans_(plans),
      passwords_(passwords),
      events_(events) {}

boost::asio::awaitable<RecordPage> RecordService::list(const Caller& caller,
                                                       std::string_view collection_name,
                                                       ListOptions options,
                                                       query::RequestInfo request) {
  RecordPage page;
  page.catalog = collections_.catalog();
  const schema::Collection& collection = support::find_collection(*page.catalog, collection_name);
  support::require_unlocked(caller, collection.list_rule);
  refuse_superuser_only_references(caller, options);

  Access access(*page.catalog, caller, plans_, database_.dialect(), Clock::now());
  request.auth = access.auth_info();
  std::vector<query::PlanPtr> filters =
      support::rule_conditions(access, collection, collection.list_rule);
  if (!options.filter.empty()) filters.push_back(access.client_filter(collection, options.filter));
  query::PlanPtr sort;
  if (!options.sort.empty()) sort = access.client_sort(collection, options.sort);
  const ExpandTree expand = parse_expand(options.expand);

  page.page = std::clamp<std::int64_t>(options.page <= 0 ? 1 : options.page, 1, kMaxPage);
  page.per_page = options.per_page <= 0 ? kDefaultPerPage : std::min(options.per_page, kMaxPerPage);
  ListStatements statements = list_statements(access, collection, filters, sort, request);
  const db::Dialect& dialect = database_.dialect();
  statements.select.sql += " LIMIT " + dialect.placeholder(statements.next) + " OFFSET " +
                           dialect.placeholder(statements.next + 1);
  const std::int64_t offset = (page.page - 1) * page.per_page;
  statements.select.params.emplace_back(page.per_page);
  statements.select.params.emplace_back(offset);

  db::ResultSet rows = co_await database_.query(statements.select.sql, statements.select.params);
  page.items.reserve(rows.size());
  for (auto row : rows)
    page.items.push_back(Record{&collection, decode_row(collection, row), {}, false});

  if (!options.skip_total) {
    const auto count = static_cast<std::int64_t>(page.items.size());
    if (count < page.per_page && (count > 0 || page.page == 1)) {
      // A page that is not full is the last one: its items end the list, no COUNT needed.
      page.total_items = offset + count;
    } else {
      db::ResultSet counted =
          co_await database_.query(statements.count.sql, statements.count.params);
      page.total_items = counted[0].as_int(0);
    }
    page.total_pages = (page.total_items + page.per_page - 1) / page.per_page;
  }
  co_await expand_records(database_, access, request, expand, page.items);
  co_await support::resolve_email_visibility(database_, access, request, page.items);
  co_return page;
}

boost::asio::awaitable<RecordResult> RecordService::view(const Caller& caller,
                                                         std::string_view collection_name,
                                                         std::string_view id, std::string expand,
                                                         query::RequestInfo request) {
  RecordResult result;
  result.catalog = collections_.catalog();
  const schema::Collection& collection = support::find_collection(*result.catalog, collection_name);
  support::require_unlocked(caller, collection.view_rule);
  Access access(*result.catalog, caller, plans_, database_.dialect(), Clock::now());
  request.auth = access.auth_info();
  const ExpandTree tree = parse_expand(expand);
  std::vector<query::PlanPtr> conditions =
      support::rule_conditions(access, collection, collection.view_rule);
  const std::string wanted(id);
  Statement statement =
      select_by_ids(access, collection, conditions, request, std::span(&wanted, 1));
  statement.sql += " LIMIT 1";
  db::ResultSet rows = co_await database_.query(statement.sql, statement.params);
  if (rows.empty()) throw core::ApiError::not_found();
  std::vector<Record> records{Record{&collection, decode_row(collection, rows[0]), {}, false}};
  co_await expand_records(database_, access, request, tree, records);
  co_await support::resolve_email_visibility(database_, access, request, records);
  result.record = std::move(records.front());
  co_return result;
}

}  // namespace basalt::records
