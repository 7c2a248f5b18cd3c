#include "basalt/query/filter_cost.hpp"

#include <limits>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace basalt::query {
namespace {

std::uint64_t saturating_multiply(std::uint64_t a, std::uint64_t b) {
  if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a) {
    return std::numeric_limits<std::uint64_t>::max();
  }
  return a * b;
}

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
  return b > std::numeric_limits<std::uint64_t>::max() - a
             ? std::numeric_limits<std::uint64_t>::max()
             : a + b;
}

class Estimator {
 public:
  explicit Estimator(std::span<const schema::Collection> collections) : collections_(collections) {}

  void add_plan(const Plan& plan) {
    if (plan.filter() != nullptr) add_expr(*plan.filter());
    for (const SortTerm& term : plan.sort()) {
      add_node(term.expr);
      terms_ = saturating_add(terms_, 1);
    }
    // A guarded join costs as the join; its rule (a collection's, trusted) is not priced.
    for (const JoinRule& rule : plan.list_rules()) add_source(rule.join);
  }

  std::uint64_t cost() const {
    std::uint64_t rows = 1;
    for (const SqlSource* source : joins_) rows = saturating_multiply(rows, fan_out(*source));
    return saturating_multiply(rows, terms_ == 0 ? 1 : terms_);
  }

 private:
  void add_expr(const PlanExpr& expr) {
    if (expr.kind != PlanExpr::Kind::kComparison) {
      for (const PlanExpr& child : expr.children) add_expr(child);
      return;
    }
    const std::uint64_t left = expr.left != nullptr ? add_operand(*expr.left) : 0;
    const std::uint64_t right = expr.right != nullptr ? add_operand(*expr.right) : 0;
    std::uint64_t subquery = 0;
    // Only plain operators run the all-of subquery (the `?` ones match any value); with two
    // multi-valued sides it walks the product of both (lowering.cpp).
    if (!is_any(expr.op)) {
      subquery = left != 0 && right != 0 ? saturating_multiply(left, right) : left + right;
    }
    terms_ = saturating_add(terms_, saturating_add(1, subquery));
  }

  // Adds the operand's joins; returns the rows of its multi-match subquery (0: none).
  std::uint64_t add_operand(const PlanOperand& operand) {
    std::uint64_t subquery_rows = 0;
    if (operand.kind == PlanOperand::Kind::kCall) {
      for (const PlanOperand& arg : operand.args) {
        subquery_rows = saturating_add(subquery_rows, add_operand(arg));
      }
    }
    if (operand.changed != nullptr) add_expr(*operand.changed);
    add_node(operand.fixed.expr);
    add_node(operand.fixed.also);
    if (const MultiMatch* match = operand.fixed.match) {
      std::uint64_t rows = 1;
      for (const SqlSource* join : match->joins()) rows = saturating_multiply(rows, fan_out(*join));
      subquery_rows = saturating_add(subquery_rows, rows);
    }
    return subquery_rows;
  }

  void add_node(const SqlNode* node) {
    if (node == nullptr) return;
    add_source(node->source);
    add_node(node->a);
    add_node(node->b);
    for (const SqlNode* arg : node->args()) add_node(arg);
  }

  // A join of the main query, with the joins its condition or array reads from.
  void add_source(const SqlSource* source) {
    if (source == nullptr || source->record_row) return;
    const bool added = source->key.empty() ? seen_sources_.insert(source).second
                                           : seen_keys_.insert(source->key).second;
    if (!added) return;
    joins_.push_back(source);
    add_node(source->on);
    add_node(source->array);
  }

  std::uint64_t fan_out(const SqlSource& source) const {
    if (source.record_row) return 1;
    if (source.kind == SourceKind::kJsonEach) return array_fan_out(source.array);
    // A forward relation joins its target by id: one row per value.
    const SqlNode* on = source.on;
    const bool by_id = on != nullptr && on->op == SqlOp::kCompare &&
                       on->compare == CompareOp::kEq && on->a != nullptr &&
                       on->a->op == SqlOp::kColumn && on->a->source == &source &&
                       on->a->name == schema::kFieldId;
    return by_id ? 1 : kAssumedBackRelationFanOut;
  }

  std::uint64_t array_fan_out(const SqlNode* array) const {
    if (array == nullptr || array->op != SqlOp::kColumn || array->source == nullptr) {
      return kAssumedArrayFanOut;
    }
    const schema::Field* field = find_field(array->source->table, array->name);
    if (field == nullptr) return kAssumedArrayFanOut;
    std::int64_t max_select = 0;
    if (const auto* relation = field->as<schema::RelationOptions>()) {
      max_select = relation->max_select;
    } else if (const auto* select = field->as<schema::SelectOptions>()) {
      max_select = select->max_select;
    } else if (const auto* file = field->as<schema::FileOptions>()) {
      max_select = file->max_select;
    } else {
      return kAssumedArrayFanOut;
    }
    return max_select > 1 ? static_cast<std::uint64_t>(max_select) : 1;
  }

  const schema::Field* find_field(std::string_view table, std::string_view name) const {
    for (const schema::Collection& collection : collections_) {
      if (collection.name == table) return collection.field_by_name(name);
    }
    return nullptr;
  }

  std::span<const schema::Collection> collections_;
  std::unordered_set<std::string_view> seen_keys_;
  std::unordered_set<const SqlSource*> seen_sources_;
  std::vector<const SqlSource*> joins_;
  std::uint64_t terms_ = 0;
};

}  // namespace

std::uint64_t estimate_cost(std::span<const Plan* const> plans,
                            std::span<const schema::Collection> collections) {
  Estimator estimator(collections);
  for (const Plan* plan : plans) {
    if (plan != nullptr) estimator.add_plan(*plan);
  }
  return estimator.cost();
}

}  // namespace basalt::query
