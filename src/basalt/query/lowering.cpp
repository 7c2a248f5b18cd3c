#include "basalt/query/lowering.hpp"

#include <algorithm>
#include <boost/json/value.hpp>
#include <vector>

#include "basalt/query/go_values.hpp"
#include "basalt/schema/field.hpp"

namespace basalt::query {
namespace {

namespace json = boost::json;

// filter.go isKnownNonEmptyIdentifier.
bool known_non_empty(const ResolvedOperand& operand) {
  if (operand.null_fallback == NullFallback::kEnforced) return false;
  if (operand.constant_identifier) return true;
  return operand.params > 0 && !operand.empty_param && !operand.empty_identifier;
}

// filter.go: isEmptyIdentifier, or a single empty param (unless the fallback is not automatic).
bool is_empty(const ResolvedOperand& operand) {
  return operand.empty_identifier || (operand.null_fallback == NullFallback::kAuto &&
                                      operand.params == 1 && operand.empty_param);
}

CompareOp plain_compare(Operator op) {
  switch (without_any(op)) {
    case Operator::kLt:
      return CompareOp::kLt;
    case Operator::kLte:
      return CompareOp::kLte;
    case Operator::kGt:
      return CompareOp::kGt;
    case Operator::kGte:
      return CompareOp::kGte;
    case Operator::kLike:
      return CompareOp::kLike;
    case Operator::kNotLike:
      return CompareOp::kNotLike;
    default:
      return CompareOp::kEq;
  }
}

bool has_wrappable_param(const SqlNode* node) {
  if (node == nullptr) return false;
  if (node->op == SqlOp::kParam) return !node->aux;
  if (has_wrappable_param(node->a) || has_wrappable_param(node->b)) return true;
  for (const SqlNode* arg : node->args()) {
    if (has_wrappable_param(arg)) return true;
  }
  return false;
}

// cast.ToString of a bound value (wrapLikeParams).
std::string go_string(const ParamValue& value) {
  switch (value.kind) {
    case ParamValue::Kind::kText:
      return std::string(value.text);
    case ParamValue::Kind::kReal:
      return go_format_float(value.real);
    case ParamValue::Kind::kInteger:
      return std::to_string(value.integer);
    case ParamValue::Kind::kBool:
      return value.integer != 0 ? "true" : "false";
    case ParamValue::Kind::kNull:
      break;
  }
  return {};
}

}  // namespace

ParamValue integer_param(std::int64_t number) {
  ParamValue value;
  value.kind = ParamValue::Kind::kInteger;
  value.integer = number;
  return value;
}

Lowering::Lowering(Arena& arena, const RequestInfo& request, Clock::time_point now)
    : nodes_(arena), request_(request), now_(now) {}

const SqlNode* Lowering::filter(const Plan& plan) {
  return plan.filter() == nullptr ? nullptr : condition(*plan.filter());
}

const SqlNode* Lowering::condition(const PlanExpr& expr) {
  if (expr.kind == PlanExpr::Kind::kComparison) {
    return comparison(operand(*expr.left), expr.op, operand(*expr.right));
  }
  std::vector<const SqlNode*> children;
  children.reserve(expr.children.size());
  for (const PlanExpr& child : expr.children) children.push_back(condition(child));
  return nodes_.logical(expr.kind == PlanExpr::Kind::kAnd ? SqlOp::kAnd : SqlOp::kOr, children);
}

const SqlNode* Lowering::comparison(const ResolvedOperand& left, Operator op,
                                    const ResolvedOperand& right) {
  const SqlNode* expr = base_comparison(left, op, right);
  if (!is_any(op) && (left.match != nullptr || right.match != nullptr)) {
    // All-of: no value of the multi-valued side(s) may fail the comparison.
    ResolvedOperand l = left;
    ResolvedOperand r = right;
    if (left.match != nullptr && right.match != nullptr) {
      l = ResolvedOperand{nodes_.match_value(left.match), left.null_fallback};
      r = ResolvedOperand{nodes_.match_value(right.match), right.null_fallback};
    } else if (left.match != nullptr) {
      l = ResolvedOperand{nodes_.match_value(left.match), left.null_fallback};
      r.null_fallback = NullFallback::kAuto;
    } else {
      r = ResolvedOperand{nodes_.match_value(right.match), right.null_fallback};
      l.null_fallback = NullFallback::kAuto;
    }
    l.match = r.match = nullptr;
    l.also = r.also = nullptr;
    const SqlNode* failing = nodes_.unary(SqlOp::kNot, base_comparison(l, op, r));
    const MultiMatch* first = left.match != nullptr ? left.match : right.match;
    const MultiMatch* second = left.match != nullptr ? right.match : nullptr;
    expr = nodes_.logical(
        SqlOp::kAnd,
        {expr, nodes_.not_exists(first, second, failing, match_where(first), match_where(second))});
  }
  if (left.also != nullptr) expr = nodes_.logical(SqlOp::kAnd, {expr, left.also});
  if (right.also != nullptr) expr = nodes_.logical(SqlOp::kAnd, {expr, right.also});
  return expr;
}

const SqlNode* Lowering::match_where(const MultiMatch* match) {
  if (match == nullptr) return nullptr;
  std::vector<const SqlNode*> conditions;
  if (match->where != nullptr) conditions.push_back(match->where);
  // Each rule's guard (kRuleHolds over its join's id) is printed in that join's ON clause
  // (SqlPrinter::subquery): a row the caller cannot list becomes the LEFT JOIN's NULL row,
  // exactly as a missing one, so "only hidden rows" and "no rows" answer alike.
  for (const JoinRule& rule : match->rules()) conditions.push_back(join_guard(rule));
  if (conditions.empty()) return nullptr;
  return nodes_.logical(SqlOp::kAnd, conditions);
}

const SqlNode* Lowering::join_guard(const JoinRule& rule) {
  const SqlNode* id = nodes_.column(rule.join, schema::kFieldId, Affinity::kText, -1, true);
  return nodes_.rule_holds(id, rule.rule_base, condition(*rule.rule));
}

const SqlNode* Lowering::base_comparison(const ResolvedOperand& left, Operator op,
                                         const ResolvedOperand& right) {
  Operator plain = without_any(op);
  if (plain == Operator::kEq || plain == Operator::kNeq) {
    return equality(plain == Operator::kEq, left, right);
  }
  CompareOp compare = plain_compare(op);
  if (compare == CompareOp::kLike || compare == CompareOp::kNotLike) {
    const SqlNode* pattern =
        right.params == 0 ? nodes_.unary(SqlOp::kContains, right.expr) : like_wrapped(right.expr);
    return nodes_.compare(compare, left.expr, pattern);
  }
  return nodes_.compare(compare, left.expr, right.expr);
}

const SqlNode* Lowering::equality(bool equal, const ResolvedOperand& left,
                                  const ResolvedOperand& right) {
  CompareOp op = equal ? CompareOp::kEq : CompareOp::kIsNot;
  if (left.null_fallback == NullFallback::kDisabled ||
      right.null_fallback == NullFallback::kDisabled) {
    return nodes_.compare(equal ? CompareOp::kIs : CompareOp::kIsNot, left.expr, right.expr);
  }
  bool left_empty = is_empty(left);
  bool right_empty = is_empty(right);
  if (left_empty && right_empty) {
    return nodes_.compare(op, nodes_.empty_text(), nodes_.empty_text());
  }
  if (known_non_empty(left) || known_non_empty(right)) {
    return nodes_.compare(op, left_empty ? nodes_.empty_text() : left.expr,
                          right_empty ? nodes_.empty_text() : right.expr);
  }
  SqlOp null_check = equal ? SqlOp::kIsNull : SqlOp::kIsNotNull;
  SqlOp join = equal ? SqlOp::kOr : SqlOp::kAnd;
  if (left_empty) {
    return nodes_.logical(join, {nodes_.compare(op, nodes_.empty_text(), right.expr),
                                 nodes_.unary(null_check, right.expr)});
  }
  if (right_empty) {
    return nodes_.logical(join, {nodes_.compare(op, left.expr, nodes_.empty_text()),
                                 nodes_.unary(null_check, left.expr)});
  }
  return nodes_.compare(op, nodes_.unary(SqlOp::kCoalesceEmpty, left.expr),
                        nodes_.unary(SqlOp::kCoalesceEmpty, right.expr));
}

// A copy of `expr` whose filter params are LIKE patterns (wrapLikeParams).
const SqlNode* Lowering::like_wrapped(const SqlNode* expr) {
  if (!has_wrappable_param(expr)) return expr;
  if (expr->op == SqlOp::kParam) {
    return nodes_.text_param(like_pattern(go_string(expr->param)));
  }
  SqlNode copy = *expr;
  copy.a = like_wrapped(expr->a);
  copy.b = like_wrapped(expr->b);
  if (expr->arg_count > 0) {
    std::vector<const SqlNode*> args;
    for (const SqlNode* arg : expr->args()) args.push_back(like_wrapped(arg));
    auto copied = nodes_.arena().copy(std::span<const SqlNode* const>(args));
    copy.arg_data = copied.data();
  }
  return nodes_.arena().make<SqlNode>(copy);
}

ResolvedOperand Lowering::operand(const PlanOperand& operand) {
  switch (operand.kind) {
    case PlanOperand::Kind::kFixed:
      return operand.fixed;
    case PlanOperand::Kind::kRequest:
      return request_value(operand);
    case PlanOperand::Kind::kBodyEach:
      return body_each(operand);
    case PlanOperand::Kind::kBodyLength: {
      std::size_t count = go_to_slice(body_value(operand.field)).size();
      ResolvedOperand result;
      result.expr = nodes_.param(integer_param(static_cast<std::int64_t>(count)), true);
      result.constant_identifier = count <= 1;  // PocketBase writes the count as "0", "1", ...
      return result;
    }
    case PlanOperand::Kind::kBodyLower: {
      std::string raw = go_to_string(body_value(operand.field));
      ResolvedOperand result;
      result.expr = nodes_.unary(SqlOp::kLower, nodes_.text_param(raw));
      result.params = 1;
      result.empty_param = raw.empty();
      return result;
    }
    case PlanOperand::Kind::kBodyChanged: {
      ResolvedOperand result;
      result.expr = nodes_.unary(SqlOp::kTruth, condition(*operand.changed));
      result.null_fallback = NullFallback::kDisabled;
      return result;
    }
    case PlanOperand::Kind::kBodyRelation: {
      if (go_unique_strings(body_value(operand.field)).empty()) {
        ResolvedOperand null;
        null.expr = nodes_.null();
        null.empty_identifier = true;
        return null;
      }
      return operand.fixed;
    }
    case PlanOperand::Kind::kMacro: {
      ResolvedOperand result;
      result.expr = nodes_.param(macro_value(operand.macro, now_, nodes_.arena()));
      result.params = 1;
      return result;
    }
    case PlanOperand::Kind::kCall: {
      std::vector<ResolvedOperand> args;
      args.reserve(operand.args.size());
      for (const PlanOperand& arg : operand.args) args.push_back(this->operand(arg));
      return call_operand(nodes_, operand.function, args);
    }
  }
  return operand.fixed;
}

ResolvedOperand Lowering::request_value(const PlanOperand& operand) {
  RequestValue found = find_request_value(request_, operand.root, operand.path);
  ResolvedOperand result;
  if (operand.modifier == Modifier::kIsset) {
    result.expr = nodes_.integer(found.found ? 1 : 0);
    result.constant_identifier = true;
    return result;
  }
  ParamValue value;
  if (!found.found || (found.json != nullptr && found.json->is_null())) {
    result.expr = nodes_.null();
    result.empty_identifier = true;
    return result;
  }
  if (found.json == nullptr) {
    value.kind = ParamValue::Kind::kText;
    value.text = nodes_.copy(found.text);
  } else {
    const json::value& v = *found.json;
    switch (v.kind()) {
      case json::kind::string:
        value.kind = ParamValue::Kind::kText;
        value.text = nodes_.copy(v.get_string());
        if (operand.number_cast) {
          if (auto number = go_parse_float(value.text)) {
            value.kind = ParamValue::Kind::kReal;
            value.real = *number;
          }
        }
        break;
      case json::kind::bool_:
        value.kind = ParamValue::Kind::kBool;
        value.integer = v.get_bool() ? 1 : 0;
        break;
      case json::kind::int64:
      case json::kind::uint64:
      case json::kind::double_:
        value.kind = ParamValue::Kind::kReal;  // Go decodes JSON numbers as float64
        value.real = v.is_int64()    ? static_cast<double>(v.get_int64())
                     : v.is_uint64() ? static_cast<double>(v.get_uint64())
                                     : v.get_double();
        break;
      default:  // arrays and objects bind as their JSON text
        value.kind = ParamValue::Kind::kText;
        value.text = nodes_.copy(go_marshal(v));
        break;
    }
  }
  result.expr = nodes_.param(value);
  if (operand.modifier == Modifier::kLower) result.expr = nodes_.unary(SqlOp::kLower, result.expr);
  result.params = 1;
  result.empty_param = value.kind == ParamValue::Kind::kText && value.text.empty();
  return result;
}

ResolvedOperand Lowering::body_each(const PlanOperand& operand) {
  std::string items = go_marshal(go_to_slice(body_value(operand.field)));
  const SqlNode* array = nodes_.text_param(items, true);
  std::string alias = "__dataEach_je_" + std::string(operand.field);
  const SqlSource* each = nodes_.json_each(
      array, false, alias,
      std::string(operand.target->key) + "@bodyeach." + std::string(operand.field));
  ResolvedOperand result;
  result.expr = nodes_.each_value(each);
  result.params = 1;  // PocketBase counts the items param
  if (operand.multiple) {
    std::string mm_alias = "__mm_" + std::string(operand.target->alias);
    const SqlSource* from =
        nodes_.table(operand.table, mm_alias, {}, nullptr, operand.target->record_row);
    const SqlSource* mm_each = nodes_.json_each(array, false, "__mm_" + alias, {});
    const SqlSource* joins[] = {mm_each};
    result.match = nodes_.multi_match(from, operand.target, joins, nodes_.each_value(mm_each));
  }
  return result;
}

const json::value& Lowering::body_value(std::string_view field) const {
  static const json::value kNull;
  const json::value* value = request_.body.if_contains(field);
  return value != nullptr ? *value : kNull;
}

}  // namespace basalt::query
