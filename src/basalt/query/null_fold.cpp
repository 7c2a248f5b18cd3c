#include "basalt/query/null_fold.hpp"

#include <algorithm>

namespace basalt::query {
namespace {

enum class Value : unsigned char { kNull, kNonNull, kUnknown };

bool is_nulled(const SqlSource* source, std::span<const std::string_view> nulled) {
  return source != nullptr && !source->key.empty() &&
         std::find(nulled.begin(), nulled.end(), source->key) != nulled.end();
}

Value value_of(const SqlNode& node, std::span<const std::string_view> nulled) {
  switch (node.op) {
    case SqlOp::kNull:
      return Value::kNull;
    case SqlOp::kInteger:
    case SqlOp::kEmptyText:
      return Value::kNonNull;
    case SqlOp::kParam:
      return node.param.kind == ParamValue::Kind::kNull ||
                     (node.param.kind == ParamValue::Kind::kReal &&
                      node.param.real != node.param.real)
                 ? Value::kNull
                 : Value::kNonNull;
    case SqlOp::kColumn:
    case SqlOp::kEachValue:
      return is_nulled(node.source, nulled) ? Value::kNull : Value::kUnknown;
    case SqlOp::kCoalesceEmpty:
      return Value::kNonNull;
    case SqlOp::kLower:
    case SqlOp::kContains:
      // NULL in, NULL out; a value in, a value out.
      return value_of(*node.a, nulled);
    case SqlOp::kJsonExtract:
      return value_of(*node.a, nulled) == Value::kNull ? Value::kNull : Value::kUnknown;
    default:
      return Value::kUnknown;
  }
}

Truth negate(Truth truth) {
  switch (truth) {
    case Truth::kTrue:
      return Truth::kFalse;
    case Truth::kFalse:
      return Truth::kTrue;
    default:
      return truth;
  }
}

Truth fold(const SqlNode& node, std::span<const std::string_view> nulled) {
  switch (node.op) {
    case SqlOp::kCompare: {
      Value a = value_of(*node.a, nulled);
      Value b = value_of(*node.b, nulled);
      if (node.compare == CompareOp::kIs || node.compare == CompareOp::kIsNot) {
        Truth same = Truth::kUnknown;
        if (a == Value::kNull && b == Value::kNull) same = Truth::kTrue;
        if ((a == Value::kNull && b == Value::kNonNull) ||
            (a == Value::kNonNull && b == Value::kNull)) {
          same = Truth::kFalse;
        }
        return node.compare == CompareOp::kIs ? same : negate(same);
      }
      if (a == Value::kNull || b == Value::kNull) return Truth::kNull;
      return Truth::kUnknown;
    }
    case SqlOp::kIsNull:
    case SqlOp::kIsNotNull: {
      Value a = value_of(*node.a, nulled);
      Truth is_null = a == Value::kNull      ? Truth::kTrue
                      : a == Value::kNonNull ? Truth::kFalse
                                             : Truth::kUnknown;
      return node.op == SqlOp::kIsNull ? is_null : negate(is_null);
    }
    case SqlOp::kNot:
      return negate(fold(*node.a, nulled));
    case SqlOp::kAnd:
    case SqlOp::kOr: {
      // AND: FALSE wins, then unknown, then NULL; OR: TRUE wins, likewise.
      Truth winner = node.op == SqlOp::kAnd ? Truth::kFalse : Truth::kTrue;
      bool unknown = false;
      bool null = false;
      for (const SqlNode* child : node.args()) {
        Truth truth = fold(*child, nulled);
        if (truth == winner) return winner;
        unknown = unknown || truth == Truth::kUnknown;
        null = null || truth == Truth::kNull;
      }
      if (unknown) return Truth::kUnknown;
      if (null) return Truth::kNull;
      return negate(winner);
    }
    default:
      return Truth::kUnknown;
  }
}

}  // namespace

Truth fold_with_null_joins(const SqlNode& condition, std::span<const std::string_view> nulled) {
  return fold(condition, nulled);
}

}  // namespace basalt::query
