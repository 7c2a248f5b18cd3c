// Lowering: a Plan (plan.hpp) plus one request's values -> SqlNode conditions (sql_node.hpp).
// This is where PocketBase's comparison rules live (tools/search/filter.go buildResolversExpr,
// resolveEqualExpr), decided per operand pair:
//
//   =  / !=   (resolveEqualExpr; ops `=` and `IS NOT`, never `!=`, so NULL compares as a value)
//     - either side has NullFallback::kDisabled (json values, geoDistance, :changed):
//         a IS b / a IS NOT b
//     - both sides empty (NULL, '', or one param that is nil/""):   '' = '' / '' IS NOT ''
//     - one side known non-empty (1/0/TRUE/FALSE, or params none of which is empty, unless
//       kEnforced):  a = b / a IS NOT b   (an empty side written as '')
//     - one side empty:  (b = '' OR b IS NULL) / (b IS NOT '' AND b IS NOT NULL)
//     - else:  COALESCE(a, '') = COALESCE(b, '') / ... IS NOT ...
//   ~  / !~   a LIKE b ESCAPE '\' (NOT LIKE). When b binds params, each param value becomes a
//             text (Go's cast.ToString) and, unless it holds an unescaped '%', gets '\', '%'
//             and '_' escaped and is wrapped in '%...%'. When b binds none (a column):
//             a LIKE ('%' || b || '%').
//   < <= > >= plain comparison.
//   Multi-valued operands (resolver.hpp): for a plain operator the comparison is ANDed with
//     one side multi:  NOT EXISTS (SELECT 1 FROM (<values>) s WHERE NOT (s.v OP other))
//     both sides:      NOT EXISTS (SELECT 1 FROM (<left>) l LEFT JOIN (<right>) r
//                                  WHERE NOT (l.v OP r.v))
//     where the subquery side keeps its NullFallback and the other side is compared as its bare
//     identifier and params (PocketBase drops its fallback there). `?`-operators skip this.
//   An operand's `also` condition (auth email visibility) is ANDed last.
//
// Thread safety: a Lowering belongs to one compilation; the Plan is only read.
#pragma once

#include <chrono>
#include <span>

#include "basalt/query/arena.hpp"
#include "basalt/query/plan.hpp"
#include "basalt/query/request_info.hpp"
#include "basalt/query/sql_node_factory.hpp"

namespace basalt::query {

using Clock = std::chrono::system_clock;

class Lowering {
 public:
  // New nodes go to `arena`; `request` is read during the calls only.
  Lowering(Arena& arena, const RequestInfo& request, Clock::time_point now);

  // plan.filter() as a condition; nullptr for a sort plan.
  const SqlNode* filter(const Plan& plan);
  // Whether the record `rule.join` found is one the caller could list (its rule, lowered).
  const SqlNode* join_guard(const JoinRule& rule);
  const SqlNode* condition(const PlanExpr& expr);
  ResolvedOperand operand(const PlanOperand& operand);
  const SqlNode* comparison(const ResolvedOperand& left, Operator op, const ResolvedOperand& right);

  SqlNodeFactory& nodes() noexcept { return nodes_; }

 private:
  const SqlNode* equality(bool equal, const ResolvedOperand& left, const ResolvedOperand& right);
  const SqlNode* base_comparison(const ResolvedOperand& left, Operator op,
                                 const ResolvedOperand& right);
  const SqlNode* like_wrapped(const SqlNode* expr);
  // The conditions of `match`'s subquery (its row condition and its joins' list-rule guards,
  // which SqlPrinter::subquery moves into those joins' ON clauses), lowered; nullptr when there
  // are none.
  const SqlNode* match_where(const MultiMatch* match);
  ResolvedOperand request_value(const PlanOperand& operand);
  ResolvedOperand body_each(const PlanOperand& operand);
  const boost::json::value& body_value(std::string_view field) const;

  SqlNodeFactory nodes_;
  const RequestInfo& request_;
  Clock::time_point now_;
};

// The operand of a function call over resolved arguments (tools/search/token_functions.go):
// geoDistance drops its arguments' multi-match and disables the NULL fallback; strftime
// enforces it and keeps the time value's multi-match (with the value formatted).
ResolvedOperand call_operand(SqlNodeFactory& nodes, Function function,
                             std::span<const ResolvedOperand> args);

// An integer parameter (a macro's number, a length, a position).
ParamValue integer_param(std::int64_t number);

// A datetime macro's value at `now`, UTC (tools/search/identifier_macros.go): PocketBase
// datetime text, or an integer for @second ... @year.
ParamValue macro_value(Macro macro, Clock::time_point now, Arena& arena);

// PocketBase's LIKE pattern for a `~` value (wrapLikeParams): `text` as is when it holds an
// unescaped '%', else with '\', '%' and '_' escaped and wrapped in '%'.
std::string like_pattern(std::string_view text);

}  // namespace basalt::query
