#include "basalt/graphql/record_statement.hpp"

#include <boost/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "basalt/graphql/field_failure.hpp"
#include "basalt/graphql/record_compiler.hpp"
#include "basalt/graphql/unused_placeholders.hpp"
#include "basalt/graphql/where_filter.hpp"
#include "basalt/query/filter_cost.hpp"
#include "basalt/query/query_builder.hpp"
#include "basalt/query/resolve_error.hpp"
#include "basalt/query/resolver.hpp"

namespace basalt::graphql {

namespace detail {

namespace json = boost::json;

RootStatement StatementCompiler::by_ids(const Collection& c, const FieldGroup& group,
                                        std::span<const std::string> ids) {
  const std::string a = q(c.name);
  RootStatement out;
  out.kind = RootKind::kList;
  const RootSource source = root_source(c, rule_plans(c, c.view_rule));
  std::string wanted;
  for (const std::string& id : ids) wanted += (wanted.empty() ? "" : ", ") + param(id);
  potential_ += ids.size();
  last_limit_ = ids.size();
  out.statement.sql = source.select + inside_list([&] { return record_json(c, a, group); }) +
                      source.from + (source.filtered ? " AND " : " WHERE ") + col(a, "id") +
                      " IN (" + wanted + ")" + order_clause(a, c, json::object{});
  prepend_ctes(out.statement.sql);
  out.statement.params = std::move(params_);
  finish_placeholders(out.statement.sql, out.statement.params);
  out.scans = true;
  return out;
}

RootStatement StatementCompiler::root(const FieldGroup& group, const RootBinding& binding) {
  const Collection& c = *binding.collection;
  const json::object args = arguments(group);
  // The root reads its table under its own name with the rule and `where` compiled straight
  // into its WHERE, as a REST list page does, so SQLite can stop at the page's last record.
  const std::string a = q(c.name);
  RootStatement out;
  out.kind = binding.kind;
  std::string& sql = out.statement.sql;
  if (binding.kind == RootKind::kByPk) {
    const RootSource source = root_source(c, rule_plans(c, c.view_rule));
    const json::value* id = args.if_contains("id");
    const std::string wanted =
        id != nullptr && id->is_string() ? std::string(id->get_string()) : "";
    std::string where = source.from + (source.filtered ? " AND " : " WHERE ") + col(a, "id") +
                        " = " + param(wanted) + " LIMIT 1";
    sql = source.select + record_json(c, a, group) + where;
  } else {
    std::vector<query::PlanPtr> plans = rule_plans(c, c.list_rule);
    if (query::PlanPtr where = where_plan(c, args)) plans.push_back(std::move(where));
    const RootSource source = root_source(c, plans);
    const std::string order = order_clause(a, c, args);
    const std::string tail = page(args);
    if (binding.kind == RootKind::kList) {
      // The selection is compiled after the page, so its placeholders have higher numbers
      // though they come first in the text: placeholders are numbered, order is irrelevant.
      sql = source.select + inside_list([&] { return record_json(c, a, group); }) + source.from +
            order + tail;
    } else {
      const Pages pages = pages_of(args, source.select + a + ".*" + source.from, order + tail);
      sql = "SELECT " + inside_list([&] { return aggregate_json(c, a, group, pages); });
    }
  }
  prepend_ctes(sql);
  out.statement.params = std::move(params_);
  finish_placeholders(sql, out.statement.params);
  out.scans = potential_ > 0;
  return out;
}

// The WITH clause of the levels below the root (visible ids), before the root's SELECT.
void StatementCompiler::prepend_ctes(std::string& sql) const {
  if (ctes_.empty()) return;
  std::string with = "WITH ";
  for (std::size_t i = 0; i < ctes_.size(); ++i) with += (i ? ", " : "") + ctes_[i];
  sql = with + " " + sql;
}

void StatementCompiler::finish_placeholders(std::string& sql, db::Params& params) const {
  if (dialect_.placeholder(1) == "$1") drop_unused_placeholders(sql, params);
}

StatementCompiler::RootSource StatementCompiler::root_source(
    const Collection& c, const std::vector<query::PlanPtr>& plans, std::string_view record_source) {
  RootSource out;
  if (plans.empty()) {
    // As QueryBuilder::read_record_from spells it: the source under the collection's name.
    out.from = " FROM " + (record_source.empty() ? q(c.name) : q(record_source) + " " + q(c.name));
    return out;
  }
  query::QueryBuilder builder(dialect_, *plans.front(), next_);
  if (!record_source.empty()) builder.read_record_from(record_source);
  for (const query::PlanPtr& plan : plans) builder.add_filter(*plan, request_, access_.now());
  query::CompiledQuery compiled = std::move(builder).finish();
  for (db::Value& value : compiled.params) params_.push_back(std::move(value));
  next_ = compiled.next_placeholder;
  if (compiled.distinct) out.select = "SELECT DISTINCT ";
  out.from = " FROM " + compiled.from_sql();
  if (!compiled.where.empty()) {
    out.from += " WHERE " + compiled.where;
    out.filtered = true;
  }
  return out;
}

}  // namespace detail

namespace json = boost::json;
using detail::StatementCompiler;

query::PlanPtr compile_where_argument(const records::Access& access, const schema::Collection& c,
                                      const json::object& args) {
  const collections::Catalog& catalog = access.catalog();
  const bool superuser = access.caller().is_superuser();
  const json::value* where = args.if_contains("where");
  if (where == nullptr || !where->is_object()) return nullptr;
  std::optional<query::Ast> ast;
  try {
    ast = where_to_ast(where->get_object(), c, catalog);
  } catch (const std::length_error& e) {
    throw FieldFailure(ErrorCode::kLimitExceeded, e.what());
  } catch (const std::invalid_argument& e) {
    throw FieldFailure(ErrorCode::kValidationFailed, e.what());
  }
  if (!ast) return nullptr;
  query::ResolveContext context{c, catalog.all(), access.caller().collection,
                                query::ResolveMode::kClient, superuser};
  query::PlanPtr plan;
  try {
    plan = query::resolve_filter(*ast, context);
  } catch (const query::ResolveError& e) {
    const bool locked = e.code() == query::ResolveErrorCode::kLockedCollection ||
                        e.code() == query::ResolveErrorCode::kHiddenField ||
                        e.code() == query::ResolveErrorCode::kSuperuserOnly;
    throw FieldFailure(locked ? ErrorCode::kPermissionDenied : ErrorCode::kValidationFailed,
                       std::string("The where argument cannot be used: ") + e.what());
  }
  if (!superuser) {
    const query::Plan* plans[] = {plan.get()};
    const std::uint64_t cost = query::estimate_cost(plans, catalog.all());
    if (cost > query::kMaxClientCost) {
      throw FieldFailure(ErrorCode::kLimitExceeded,
                         "The where argument is too expensive: it walks too many multi-valued "
                         "relations (an estimated " +
                             std::to_string(cost) + " row visits per record; at most " +
                             std::to_string(query::kMaxClientCost) + ").");
    }
  }
  return plan;
}

RootStatement compile_records_by_ids(const GeneratedSchema& generated, const ExecutionScope& scope,
                                     const records::Access& access,
                                     const query::RequestInfo& request, const FieldGroup& group,
                                     const schema::Collection& collection,
                                     std::span<const std::string> ids,
                                     std::int64_t max_list_limit) {
  return StatementCompiler(generated, scope, access, request, max_list_limit)
      .by_ids(collection, group, ids);
}

RootStatement compile_event_records(const GeneratedSchema& generated, const ExecutionScope& scope,
                                    const records::Access& access,
                                    const query::RequestInfo& request, const FieldGroup& group,
                                    const schema::Collection& collection,
                                    std::span<const boost::json::object* const> records,
                                    const query::PlanPtr& where, std::int64_t max_list_limit) {
  return StatementCompiler(generated, scope, access, request, max_list_limit)
      .event_records(collection, group, records, where);
}

RootStatement compile_root_field(const GeneratedSchema& generated, const ExecutionScope& scope,
                                 const records::Access& access, const query::RequestInfo& request,
                                 const FieldGroup& group, const RootBinding& binding,
                                 std::int64_t max_list_limit) {
  return StatementCompiler(generated, scope, access, request, max_list_limit).root(group, binding);
}

}  // namespace basalt::graphql
