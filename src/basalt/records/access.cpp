#include "basalt/records/access.hpp"

#include <spdlog/spdlog.h>
#include <cstdint>

#include "basalt/core/api_error.hpp"
#include "basalt/query/parse_error.hpp"
#include "basalt/query/query_builder.hpp"
#include "basalt/query/resolve_error.hpp"
#include "basalt/query/text_error_data.hpp"
#include "basalt/records/record_codec.hpp"

namespace basalt::records {
namespace {

// Runs `make` and maps the query module's errors for a client-supplied text (`key` names it:
// "filter" or "sort"). A syntax error depends on the text alone, so every caller is told where
// it is. A resolve error depends on the schema ("unknown field" against "hidden field", a locked
// collection walked into): only superusers, who can read the schema anyway, get its details;
// anyone else gets data {} as in PocketBase.
template <typename Make>
query::PlanPtr client_plan(std::string_view key, bool superuser, Make&& make) {
  try {
    return make();
  } catch (const query::ParseError& error) {
    throw core::ApiError::bad_request({}, query::text_error_data(key, error));
  } catch (const query::ResolveError& error) {
    if (error.forbidden()) {
      throw core::ApiError::forbidden("Only superusers can filter by @request or @collection.");
    }
    if (!superuser) throw core::ApiError::bad_request();
    throw core::ApiError::bad_request({}, query::text_error_data(key, error));
  }
}

}  // namespace

Access::Access(const collections::Catalog& catalog, const Caller& caller, query::PlanCache& plans,
               const db::Dialect& dialect, Instant now, std::chrono::milliseconds user_budget)
    : catalog_(catalog),
      caller_(caller),
      plans_(plans),
      dialect_(dialect),
      now_(now),
      user_budget_(user_budget) {}

query::ResolveContext Access::context(const schema::Collection& collection,
                                      query::ResolveMode mode) const {
  return query::ResolveContext{collection, catalog_.all(), caller_.collection, mode,
                               caller_.is_superuser()};
}

query::PlanPtr Access::rule(const schema::Collection& collection, std::string_view text) const {
  try {
    return plans_.filter(context(collection, query::ResolveMode::kRule), catalog_.version(), text);
  } catch (const std::exception& error) {
    spdlog::error("a rule of collection {} does not compile: {}", collection.name, error.what());
    throw core::ApiError::bad_request();
  }
}

query::PlanPtr Access::client_filter(const schema::Collection& collection,
                                     std::string_view text) const {
  return client_plan("filter", caller_.is_superuser(), [&] {
    return plans_.filter(context(collection, query::ResolveMode::kClient), catalog_.version(),
                         text);
  });
}

query::PlanPtr Access::client_sort(const schema::Collection& collection,
                                   std::string_view text) const {
  return client_plan("sort", caller_.is_superuser(), [&] {
    return plans_.sort(context(collection, query::ResolveMode::kClient), catalog_.version(), text);
  });
}

std::optional<query::AuthInfo> Access::auth_info() const {
  if (caller_.is_guest()) return std::nullopt;
  // The Caller's record outlives the service call, and with it every RequestInfo built here.
  return query::AuthInfo{caller_.collection->id, caller_.collection->name, {}, caller_.record};
}

std::string qualified_columns(const schema::Collection& collection, const db::Dialect& dialect,
                              std::string_view table_sql) {
  std::string out;
  for (const auto& field : collection.fields) {
    if (!out.empty()) out += ", ";
    out += table_sql;
    out += '.';
    out += dialect.quote_identifier(field.name);
  }
  return out;
}

Statement select_matching(const Access& access, const schema::Collection& collection,
                          std::span<const query::PlanPtr> conditions,
                          const query::RequestInfo& request, std::span<const std::string> values,
                          const MatchCondition& match) {
  const db::Dialect& dialect = access.dialect();
  std::string table = dialect.quote_identifier(collection.name);
  std::string from = table;
  std::string where;
  Statement statement;
  std::size_t next = 1;
  bool distinct = false;
  if (!conditions.empty()) {
    query::QueryBuilder builder(dialect, *conditions.front());
    for (const auto& plan : conditions) builder.add_filter(*plan, request, access.now());
    query::CompiledQuery compiled = std::move(builder).finish();
    from = compiled.from_sql();
    table = compiled.table;
    where = compiled.where;
    statement.params = std::move(compiled.params);
    next = compiled.next_placeholder;
    distinct = compiled.distinct;
  }
  std::string value_list;
  for (const auto& value : values) {
    if (!value_list.empty()) value_list += ", ";
    value_list += dialect.placeholder(next++);
    statement.params.emplace_back(value);
  }
  statement.sql = std::string(distinct ? "SELECT DISTINCT " : "SELECT ") +
                  qualified_columns(collection, dialect, table) + " FROM " + from + " WHERE " +
                  match(table, value_list);
  if (!where.empty()) statement.sql += " AND (" + where + ")";
  return statement;
}

Statement select_by_ids(const Access& access, const schema::Collection& collection,
                        std::span<const query::PlanPtr> conditions,
                        const query::RequestInfo& request, std::span<const std::string> ids) {
  const std::string id_column = access.dialect().quote_identifier(schema::kFieldId);
  return select_matching(access, collection, conditions, request, ids,
                         [&](std::string_view table, std::string_view id_list) {
                           return std::string(table) + "." + id_column + " IN (" +
                                  std::string(id_list) + ")";
                         });
}

Statement matches_statement(const Access& access, const query::Plan& plan,
                            const query::RequestInfo& request, std::string_view id,
                            std::string_view record_source, std::size_t first_placeholder) {
  const db::Dialect& dialect = access.dialect();
  query::CompiledQuery compiled =
      query::compile_filter(dialect, plan, request, access.now(), first_placeholder, record_source);
  Statement statement;
  statement.params = std::move(compiled.params);
  statement.params.emplace_back(std::string(id));
  statement.sql = "SELECT 1 FROM " + compiled.from_sql() + " WHERE " + compiled.table + "." +
                  dialect.quote_identifier(schema::kFieldId) + " = " +
                  dialect.placeholder(compiled.next_placeholder);
  if (!compiled.where.empty()) statement.sql += " AND (" + compiled.where + ")";
  statement.sql += " LIMIT 1";
  return statement;
}

Statement matches_virtual_row(const Access& access, const schema::Collection& collection,
                              const query::Plan& plan, const query::RequestInfo& request,
                              const boost::json::object& values, std::string_view id,
                              std::string row_name) {
  while (access.catalog().find(row_name) != nullptr) row_name += '_';
  const db::Dialect& dialect = access.dialect();
  Statement check;
  check.params = insert_params(collection, values);
  std::string columns;
  for (std::size_t i = 0; i < collection.fields.size(); ++i) {
    if (i) columns += ", ";
    columns +=
        dialect.placeholder(i + 1) + " AS " + dialect.quote_identifier(collection.fields[i].name);
  }
  Statement rule = matches_statement(access, plan, request, id, row_name, check.params.size() + 1);
  check.sql =
      "WITH " + dialect.quote_identifier(row_name) + " AS (SELECT " + columns + ") " + rule.sql;
  for (auto& value : rule.params) check.params.push_back(std::move(value));
  return check;
}

}  // namespace basalt::records
