#include "basalt/query/query_builder.hpp"

#include <utility>

namespace basalt::query {

QueryBuilder::QueryBuilder(const db::Dialect& dialect, const Plan& table_plan,
                           std::size_t first_placeholder)
    : arena_(4096),
      printer_(dialect, filter_dialect_for(dialect), table_plan.base(), first_placeholder),
      table_(printer_.base_alias()) {}

void QueryBuilder::add_condition(const SqlNode* condition, const RequestInfo& request) {
  if (condition == nullptr) return;
  if (!where_.empty()) where_ += " AND ";
  printer_.print(where_, *condition, request);
}

void QueryBuilder::add_list_rules(const Plan& plan, Lowering& lowering,
                                  const RequestInfo& request) {
  for (const JoinRule& rule : plan.list_rules()) {
    if (!checked_joins_.insert(std::string(rule.join->key)).second) continue;
    printer_.guard_join(*rule.join, *lowering.join_guard(rule), request);
  }
}

void QueryBuilder::add_filter(const Plan& plan, const RequestInfo& request, Clock::time_point now) {
  Lowering lowering(arena_, request, now);
  add_condition(lowering.filter(plan), request);
  add_list_rules(plan, lowering, request);
}

void QueryBuilder::add_sort(const Plan& plan, const RequestInfo& request, Clock::time_point now) {
  Lowering lowering(arena_, request, now);
  for (const SortTerm& term : plan.sort()) {
    // Its joins belong to FROM, which the COUNT statement shares: register them now.
    if (term.kind == SortKind::kField) printer_.register_joins(*term.expr, request);
    sorts_.push_back({&term, &request});
  }
  add_list_rules(plan, lowering, request);
}

void QueryBuilder::read_record_from(std::string_view source) {
  std::string quoted = printer_.dialect().quote_identifier(source);
  printer_.read_record_from(quoted);
  record_source_ = quoted + " " + table_;
}

CompiledQuery QueryBuilder::finish() && {
  CompiledQuery query;
  query.count_param_count = printer_.params().size();
  std::string order_by;
  for (const PendingSort& sort : sorts_) {
    if (!order_by.empty()) order_by += ", ";
    const SortTerm& term = *sort.term;
    switch (term.kind) {
      case SortKind::kRandom:
        order_by += printer_.functions().random();
        continue;  // PocketBase ignores a direction on @random
      case SortKind::kRowid:
        order_by += table_ + "." + std::string(printer_.functions().rowid());
        break;
      case SortKind::kField:
        printer_.print(order_by, *term.expr, *sort.request);
        break;
    }
    order_by += term.direction == SortDirection::kDesc ? " DESC" : " ASC";
  }
  query.table = table_;
  query.record_source = std::move(record_source_);
  query.joins = printer_.joins();
  query.where = std::move(where_);
  query.order_by = std::move(order_by);
  query.next_placeholder = printer_.next_placeholder();
  query.params = std::move(printer_.params());
  query.distinct = !query.joins.empty();
  query.rowid = table_ + "." + std::string(printer_.functions().rowid());
  return query;
}

CompiledQuery compile_filter(const db::Dialect& dialect, const Plan& plan,
                             const RequestInfo& request, Clock::time_point now,
                             std::size_t first_placeholder, std::string_view record_source) {
  QueryBuilder builder(dialect, plan, first_placeholder);
  if (!record_source.empty()) builder.read_record_from(record_source);
  builder.add_filter(plan, request, now);
  return std::move(builder).finish();
}

}  // namespace basalt::query
