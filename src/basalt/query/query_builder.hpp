// QueryBuilder: compiles the rule, filter and sort plans of one list/view/count request into a
// CompiledQuery (compiled_query.hpp) over the collection's table.
//
// Usage (records service):
//   QueryBuilder builder(database.dialect(), *list_rule_plan /* any plan of the collection */);
//   builder.add_filter(*list_rule_plan, request, now);   // trusted, from PlanCache
//   builder.add_filter(*client_filter_plan, request, now);
//   builder.add_sort(*client_sort_plan, request, now);
//   CompiledQuery query = std::move(builder).finish();
//   co_await db.query(query.select_sql(query.table + ".*") + " LIMIT " +
//                     dialect.placeholder(query.next_placeholder) ..., params + limit);
//   co_await db.query(query.count_sql(), query.count_params());
//
// Invariants:
//   1. Each add_filter ANDs one condition to the WHERE clause; the list rules a plan carries
//      for its joins (docs/security.md, "Access control", plan.hpp invariant 4) are ANDed to those
//      joins' ON clauses (or a semi-join's WHERE for its first table), once per join however
//      many plans need it.
//   2. Joins are shared across plans by key (sql_printer.hpp): a rule and a filter that both
//      walk `author` read one join, as PocketBase's shared resolver does. Whether that join is
//      printed in the main FROM or inside a semi-join is decided in finish(), over all the
//      conditions at once (docs/query-compiler.md): the conditions that read joins under one
//      hop (`author...`) become one `<record>.author IN (SELECT ...)` semi-join with a branch
//      for records without a visible `author` (or one `NOT IN` anti-join when that branch is
//      always true and the path single-valued); those under another root (a multiple relation
//      of the record, a back-relation through a multiple field, @request.auth/@request.body
//      relations, @collection) one EXISTS with the root's ON inside, or an id list. A condition
//      printed in the main FROM that reads a multi-valued join under the same root keeps the
//      group there too (to keep the row they share). The answer is the one the plain LEFT
//      JOINs give, row for row.
//   3. Only parameters carry values (sql_node.hpp invariant 2).
//   4. `distinct` is set only when the main FROM holds a join that can repeat a record.
// All plans must belong to the collection the builder was made for (same table).
// Thread safety: none; one builder per request. Plans are only read.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/db/dialect.hpp"
#include "basalt/query/arena.hpp"
#include "basalt/query/compiled_query.hpp"
#include "basalt/query/lowering.hpp"
#include "basalt/query/plan.hpp"
#include "basalt/query/request_info.hpp"
#include "basalt/query/sql_printer.hpp"

namespace basalt::query {

class QueryBuilder {
 public:
  // `table_plan` is any plan of the collection (it supplies the FROM table). Throws
  // std::invalid_argument for a dialect without a FilterDialect.
  QueryBuilder(const db::Dialect& dialect, const Plan& table_plan,
               std::size_t first_placeholder = 1);

  // ANDs `plan`'s filter (and its list-rule checks) into the WHERE clause.
  void add_filter(const Plan& plan, const RequestInfo& request, Clock::time_point now);
  // Appends `plan`'s sort terms to ORDER BY (and ANDs its list-rule checks). The terms are
  // printed by finish(), after every condition, so that ORDER BY binds the last params;
  // `plan` and `request` must stay alive until then.
  void add_sort(const Plan& plan, const RequestInfo& request, Clock::time_point now);

  // Reads the filtered record from `source` (a CTE holding a virtual row, e.g. the record a
  // create rule is checked against) instead of the collection's table. Only the record itself
  // moves: relations, back-relations and @collection joins into the same collection still read
  // the real table, so a rule can never be answered from rows the caller supplied.
  void read_record_from(std::string_view source);

  // Prints every condition over plain LEFT JOINs in the main FROM (DISTINCT where a join can
  // repeat a record), as before semi-joins: the reference semi_join_property_test compares the
  // semi-join forms with. Off by default.
  void use_plain_joins() noexcept { plain_joins_ = true; }

  CompiledQuery finish() &&;

 private:
  struct Conjunct {
    const SqlNode* condition;
    const RequestInfo* request;
  };

  void add_list_rules(const Plan& plan, Lowering& lowering, const RequestInfo& request);
  // Splits `condition` at its top-level ANDs into conjuncts_.
  void add_condition(const SqlNode* condition, const RequestInfo& request);
  // Prints conjuncts_ into where_: semi-joins where they keep the answer, the rest plainly.
  void print_conditions();
  // How a group of conditions under one JoinTree root is printed (docs/query-compiler.md).
  enum class SemiJoinForm : unsigned char {
    kIn,      // a hop: <record>.<col> IN (SELECT <hop>.<col> ...) (or its NOT IN anti-join)
    kInEach,  // a back-relation through a multiple field: <record>.id IN (SELECT je.value ...)
    kExists,  // any other root: EXISTS (SELECT 1 FROM <root> ... WHERE <root's ON> AND ...)
  };
  void print_semi_join(const SqlSource& root, SemiJoinForm form, std::span<const Conjunct> parts,
                       std::span<const SqlSource* const> joins);

  Arena arena_;
  SqlPrinter printer_;
  std::string table_;
  std::string record_source_;
  std::string where_;
  std::vector<Conjunct> conjuncts_;
  SqlPrinter::Guards guards_;
  struct PendingSort {
    const SortTerm* term;
    const RequestInfo* request;
  };
  std::vector<PendingSort> sorts_;
  bool plain_joins_ = false;
};

// One filter plan alone: QueryBuilder(dialect, plan, first).add_filter(plan, ...).finish(),
// reading the record from `record_source` when it is not empty (read_record_from).
CompiledQuery compile_filter(const db::Dialect& dialect, const Plan& plan,
                             const RequestInfo& request, Clock::time_point now,
                             std::size_t first_placeholder = 1,
                             std::string_view record_source = {});

}  // namespace basalt::query
