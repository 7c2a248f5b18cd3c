// Plan: a filter, rule or sort resolved against a collection's schema (resolver.hpp), ready to
// be compiled for any request (lowering.hpp). It depends on the schema, the mode and the
// requester's auth collection, never on request values, so it is what PlanCache caches.
//
// Invariants:
//   1. Immutable after resolve; shared read-only between threads through shared_ptr<const Plan>.
//   2. Self-contained: every name, node and string lives in the Plan's own arena. A Plan keeps
//      no pointer into the Catalog or the Ast it was made from, so those may go away.
//   3. An operand whose SQL depends only on the schema is kFixed (its SqlNodes are built once);
//      one whose shape depends on request values (`@request.*`, macros) is a recipe that
//      lowering completes per request, because PocketBase's NULL/empty rules look at the value.
//   4. list_rules() holds one JoinRule per relation join of a non-superuser client filter or
//      sort (docs/security.md, "Access control"): the joined collection's listRule, resolved
//      against a table of its own, which the query builder puts in that join's ON clause. Client
//      joins are keyed apart from the joins of trusted rules, so a rule never reads a guarded join.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "basalt/query/arena.hpp"
#include "basalt/query/ast.hpp"
#include "basalt/query/sort.hpp"
#include "basalt/query/sql_node.hpp"

namespace basalt::query {

// PocketBase's NullFallbackPreference: may `=`/`!=` treat NULL and '' alike for this operand?
enum class NullFallback : std::uint8_t {
  kAuto,      // yes, deciding by what the other operand is
  kDisabled,  // no: compare with IS / IS NOT (json values, geoDistance, :changed)
  kEnforced,  // yes, and never assume it is non-empty (strftime)
};

// PocketBase's ResolverResult: an operand as the comparison builder sees it. Besides the SQL
// it carries PocketBase's view of the identifier text, which decides the equality form
// (filter.go resolveEqualExpr): whether it is NULL/'' and how many params it binds.
struct ResolvedOperand {
  const SqlNode* expr = nullptr;
  NullFallback null_fallback = NullFallback::kAuto;
  bool empty_identifier = false;      // NULL or '' (isEmptyIdentifier)
  bool constant_identifier = false;   // 1, 0, TRUE or FALSE (known non-empty)
  std::uint8_t params = 0;            // params PocketBase binds for it (json paths not counted)
  bool empty_param = false;           // one of those is nil or ""
  const MultiMatch* match = nullptr;  // multi-valued: the all-of subquery of its values
  const SqlNode* also = nullptr;      // ANDed after the comparison (auth email visibility)
};

struct PlanExpr;

struct PlanOperand {
  enum class Kind : std::uint8_t {
    kFixed,         // `fixed`
    kRequest,       // `@request.<root>.<path>` read from the request (modifier kNone/kIsset/kLower)
    kBodyEach,      // `@request.body.<field>:each`
    kBodyLength,    // `@request.body.<field>:length`
    kBodyLower,     // `@request.body.<field>:lower`
    kBodyChanged,   // `@request.body.<field>:changed`
    kBodyRelation,  // `@request.body.<relation>.<path>`: `fixed`, or NULL without ids
    kMacro,         // `@now`, `@year`, ...
    kCall,          // a function with a request-dependent argument
  };

  Kind kind = Kind::kFixed;
  SourceRange range;
  ResolvedOperand fixed;
  IdentifierRoot root = IdentifierRoot::kField;
  Modifier modifier = Modifier::kNone;
  bool number_cast = false;  // kRequest: a numeric string binds as a number
  bool multiple = false;     // kBodyEach: the field holds many values (all-of semantics)
  Macro macro = Macro::kNow;
  Function function = Function::kGeoDistance;
  std::span<const std::string_view> path;  // kRequest
  std::string_view field;                  // kBody*: the body key, a field of the collection
  std::string_view table;                  // kBodyEach: the collection table
  const SqlSource* target = nullptr;       // kBodyEach: the source its subquery follows
  const PlanExpr* changed = nullptr;       // kBodyChanged: `f:isset = true && f != <column>`
  std::span<const PlanOperand> args;       // kCall
};

struct PlanExpr {
  enum class Kind : std::uint8_t { kComparison, kAnd, kOr };

  Kind kind = Kind::kComparison;
  Operator op = Operator::kEq;
  SourceRange range;
  const PlanOperand* left = nullptr;
  const PlanOperand* right = nullptr;
  std::span<const PlanExpr> children;
};

struct SortTerm {
  SortKind kind = SortKind::kField;
  SortDirection direction = SortDirection::kAsc;
  const SqlNode* expr = nullptr;  // kField
};

class Plan {
 public:
  struct Parts {
    const SqlSource* base = nullptr;
    const PlanExpr* filter = nullptr;
    std::span<const SortTerm> sort;
    std::span<const JoinRule> list_rules;
    bool evaluable = false;
  };

  Plan(Arena arena, Parts parts) noexcept : arena_(std::move(arena)), parts_(parts) {}
  Plan(Plan&&) noexcept = default;
  Plan& operator=(Plan&&) noexcept = default;
  Plan(const Plan&) = delete;
  Plan& operator=(const Plan&) = delete;

  // The collection's table as the query's FROM (record_row, no join condition).
  const SqlSource& base() const noexcept { return *parts_.base; }
  std::string_view table() const noexcept { return parts_.base->table; }
  // The filter or rule; nullptr for a sort plan.
  const PlanExpr* filter() const noexcept { return parts_.filter; }
  // The sort terms; empty for a filter plan.
  std::span<const SortTerm> sort() const noexcept { return parts_.sort; }
  std::span<const JoinRule> list_rules() const noexcept { return parts_.list_rules; }
  // Whether the Evaluator can answer it from one record's row (no table joins, no strftime).
  bool evaluable() const noexcept { return parts_.evaluable; }

 private:
  Arena arena_;
  Parts parts_;
};

using PlanPtr = std::shared_ptr<const Plan>;

}  // namespace basalt::query
