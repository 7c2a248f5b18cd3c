// Access: the rules, filters and sorts of one record-service call, resolved for its caller
// and compiled into SQL over a collection's table (query module), plus the small statements
// every operation shares (read rows by id under a rule).
//
// Error mapping (docs/api.md, "Errors"): a client filter or sort that does not parse or resolve is
// the generic 400; `@request.*` / `@collection.*` in a non-superuser's filter or sort is 403. A
// stored rule that no longer resolves (schema drift the validator did not catch) is logged
// and answered with the generic 400, never a 500 and never "everyone may".
//
// Thread safety: an Access lives for one call on one thread; the plans it returns are shared.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/collections/catalog.hpp"
#include "basalt/db/database.hpp"
#include "basalt/db/dialect.hpp"
#include "basalt/db/result_set.hpp"
#include "basalt/db/value.hpp"
#include "basalt/query/plan_cache.hpp"
#include "basalt/query/request_info.hpp"
#include "basalt/records/caller.hpp"

namespace basalt::records {

// The instant a request's rules read as @now; it comes from the service's core::Clock.
using Instant = std::chrono::system_clock::time_point;

class Access {
 public:
  // `user_budget`: the statement budget of a guest's or non-superuser's reads (setting
  // db-user-statement-timeout); zero leaves every read the database's own budget.
  Access(const collections::Catalog& catalog, const Caller& caller, query::PlanCache& plans,
         const db::Dialect& dialect, Instant now,
         std::chrono::milliseconds user_budget = std::chrono::milliseconds::zero());

  const collections::Catalog& catalog() const noexcept { return catalog_; }
  const Caller& caller() const noexcept { return caller_; }
  const db::Dialect& dialect() const noexcept { return dialect_; }
  Instant now() const noexcept { return now_; }

  // How a read for this caller runs: inline (a point read: rows by id, bounded by the ids
  // asked for) or on the read pool (a scan whose cost depends on the data: a list page, its
  // count, a back-relation expand), under the caller's budget.
  db::ReadOptions point_read() const noexcept { return {false, budget()}; }
  db::ReadOptions scan_read() const noexcept { return {true, budget()}; }

  // A stored rule (non-empty) of `collection`, trusted.
  query::PlanPtr rule(const schema::Collection& collection, std::string_view text) const;
  // A client's `filter` / `sort` of a list (non-empty).
  query::PlanPtr client_filter(const schema::Collection& collection, std::string_view text) const;
  query::PlanPtr client_sort(const schema::Collection& collection, std::string_view text) const;

  // The caller as `@request.auth` sees it (nullopt for guests).
  std::optional<query::AuthInfo> auth_info() const;

 private:
  query::ResolveContext context(const schema::Collection& collection,
                                query::ResolveMode mode) const;
  std::chrono::milliseconds budget() const noexcept {
    return caller_.is_superuser() ? std::chrono::milliseconds::zero() : user_budget_;
  }

  const collections::Catalog& catalog_;
  const Caller& caller_;
  query::PlanCache& plans_;
  const db::Dialect& dialect_;
  Instant now_;
  std::chrono::milliseconds user_budget_;
};

// `"table"."f1", "table"."f2", ...`: every field of `collection` in field order, qualified by
// `table_sql` (already quoted), in the order records::decode_row reads them.
std::string qualified_columns(const schema::Collection& collection, const db::Dialect& dialect,
                              std::string_view table_sql);

// A statement with its parameters.
struct Statement {
  std::string sql;
  db::Params params;
};

// The caller's own condition of select_matching(): `table` is the quoted table (or alias) the
// columns belong to, `value_list` the placeholders of its values ("?3, ?4").
using MatchCondition =
    std::function<std::string(std::string_view table, std::string_view value_list)>;

// SELECT of every field of the rows of `collection` that satisfy every plan in `conditions`
// (filter plans of `collection`; none = no condition) and `match` over `values` (1..n values,
// bound after the plans' parameters).
Statement select_matching(const Access& access, const schema::Collection& collection,
                          std::span<const query::PlanPtr> conditions,
                          const query::RequestInfo& request, std::span<const std::string> values,
                          const MatchCondition& match);

// SELECT of the rows of `collection` whose id is one of `ids` (1..n ids) and that satisfy
// every plan in `conditions` (each a filter plan of `collection`; none = no condition).
Statement select_by_ids(const Access& access, const schema::Collection& collection,
                        std::span<const query::PlanPtr> conditions,
                        const query::RequestInfo& request, std::span<const std::string> ids);

// `SELECT 1 ... WHERE id = ? AND (plan) LIMIT 1`: whether the row `id` satisfies `plan`. With
// `record_source` the row is read from that relation (a CTE holding a virtual row) instead of
// the collection's table (query::QueryBuilder::read_record_from). Placeholders are numbered
// from `first_placeholder`, so a caller may bind parameters of its own before them.
Statement matches_statement(const Access& access, const query::Plan& plan,
                            const query::RequestInfo& request, std::string_view id,
                            std::string_view record_source = {}, std::size_t first_placeholder = 1);

// matches_statement over a virtual row: `values` (a record of `collection` in stored form)
// held in a CTE named `row_name` (with '_' appended until no collection has that name). Only
// the record itself is read from there; relations, back-relations and @collection joins, into
// this collection too, read the real tables, so the row can never stand in for data the plan
// asks about. The row's columns take the first placeholders and the plan's parameters follow,
// so the text does not move with how many parameters the plan binds for a request. Used for a
// create rule (the row about to be inserted) and for realtime (a record as its event carries it).
Statement matches_virtual_row(const Access& access, const schema::Collection& collection,
                              const query::Plan& plan, const query::RequestInfo& request,
                              const boost::json::object& values, std::string_view id,
                              std::string row_name);

}  // namespace basalt::records
