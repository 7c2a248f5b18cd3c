// RecordStatement: one root field of the query type (`<c>`, `<c>_by_pk`, `<c>_aggregate`)
// compiled into ONE SQL statement that builds the field's whole JSON value in the database
// (docs/graphql.md, "How a query runs"): json_object per record, correlated subqueries with
// json_group_array for relations and back-relations, never a statement per row or per level.
//
// Which records a caller sees, at every level, is decided by the same compiler as REST:
//   - a record of the root list (and `_aggregate`) passes the collection's listRule and the
//     `where` argument, both compiled by query::QueryBuilder from plans; `_by_pk` its viewRule;
//   - a related record (relation, back-relation) passes its own collection's viewRule, as REST
//     expand does, and the list's own `where`;
//   - `where` is the filter AST of where_filter.hpp resolved as a client filter: hidden fields
//     refused, every relation it walks carries that collection's listRule (docs/security.md);
//   - a record's email is shown as records::Visibility says: to superusers, when
//     emailVisibility is on, to the record itself, to those who pass the manageRule.
// The root reads its table under its own name with the rule and `where` in its WHERE, as a REST
// list page. Each level below reads its table under an alias of its own (`__gq0`, …) and keeps
// a record when `EXISTS (SELECT 1 FROM "__gqvN" WHERE "__gqvN"."id" = "__gq0"."id")`, over a CTE
// of the statement, `"__gqvN" AS (SELECT "<c>"."id" FROM "<c>" … WHERE <rule> AND <where>)`,
// which reads nothing of the levels around it (a self-relation never confuses two levels) and
// which SQLite flattens into one primary-key lookup per candidate row.
//
// Bounds: `limit` and `offset` at every list are non-negative, and `limit` at most the list
// limit (default when absent: the list limit); the records a statement may return, each list
// counted at its limit and multiplied down the nesting, at most 2,000,000; a where filter has
// at most 200 comparisons and its estimated cost is held to the REST bound
// (query/filter_cost.hpp); order_by at most 8 terms. Violations are FieldFailure.
//
// Thread safety: one compiler per root field on the request's worker.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "basalt/graphql/generated_schema.hpp"
#include "basalt/graphql/selection.hpp"
#include "basalt/query/request_info.hpp"
#include "basalt/records/access.hpp"

namespace basalt::graphql {

struct RootStatement {
  records::Statement statement;
  RootKind kind = RootKind::kList;  // kList: one row per record; else one row (or none)
  // Whether it reads lists (the root's or nested ones), whose cost depends on the data: then it
  // runs on the read pool; a `_by_pk` without nested lists is a point read.
  bool scans = false;
};

// Throws FieldFailure for a client mistake (a limit, a locked collection, a costly filter).
RootStatement compile_root_field(const GeneratedSchema& generated, const ExecutionScope& scope,
                                 const records::Access& access, const query::RequestInfo& request,
                                 const FieldGroup& group, const RootBinding& binding,
                                 std::int64_t max_list_limit);

// For mutations (mutation_executor.hpp). The records `ids` of `collection` that the caller may
// view (its viewRule; superusers every one), each selected as `group` asks (the fields of a
// `returning` or of an `_one` / `_by_pk` answer), one row of JSON per record in insertion order,
// in one statement as a root list. The ids count as the list's limit for the bound on nested
// lists. `ids` must not be empty. Throws FieldFailure as compile_root_field does.
RootStatement compile_records_by_ids(const GeneratedSchema& generated, const ExecutionScope& scope,
                                     const records::Access& access,
                                     const query::RequestInfo& request, const FieldGroup& group,
                                     const schema::Collection& collection,
                                     std::span<const std::string> ids, std::int64_t max_list_limit);

// For `<c>_events` (subscription_event_feed.hpp): of `records` (records of `collection` as
// their events carry them, stored form: a deleted one as it was), those that pass the
// collection's listRule for the caller (superusers: every one) and `where` (from
// compile_where_argument; null: none), each selected as `group` asks, in one statement: one row
// per passing record, (its index in `records` as an integer, its JSON), in index order. The
// records are read from a CTE of the statement under the collection's name; relations and the
// rules' joins read the real tables. 1..kMaxEventRecords records (each record's fields are
// parameters). Throws FieldFailure as compile_root_field does.
inline constexpr std::size_t kMaxEventRecords = 100;
RootStatement compile_event_records(const GeneratedSchema& generated, const ExecutionScope& scope,
                                    const records::Access& access,
                                    const query::RequestInfo& request, const FieldGroup& group,
                                    const schema::Collection& collection,
                                    std::span<const boost::json::object* const> records,
                                    const query::PlanPtr& where, std::int64_t max_list_limit);

// The `where` argument of `args` as a filter plan of `collection`, resolved as a client filter
// (hidden fields refused, the listRule of every collection it walks into, the REST cost bound
// for non-superusers); nullptr when it sets no condition. Throws FieldFailure.
query::PlanPtr compile_where_argument(const records::Access& access,
                                      const schema::Collection& collection,
                                      const boost::json::object& args);

}  // namespace basalt::graphql
