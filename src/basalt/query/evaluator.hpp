// evaluate: a filter or rule answered in memory for one record, as the SQL compiled from the
// same Plan would answer it on SQLite for that record (used by realtime fan-out and create
// rules, where a query per record would cost more than the answer).
//
// How it stays exact: it lowers the Plan with the same Lowering as QueryBuilder (so every
// PocketBase decision is the same tree) and interprets that tree with SQLite 3.40's semantics
// (sqlite_values.hpp, sqlite_json.hpp): three-valued logic, comparison affinity, LIKE, JSON
// functions, the LEFT JOIN json_each rows of `:each` (one NULL row for an empty array), the
// NOT EXISTS subqueries of all-of operators, and DISTINCT (a record matches when any of its
// joined rows does). A property test checks it against SQLite on random filters and records.
//
// Scope: Plan::evaluable() plans - the record's own fields (with :each/:length/:lower and JSON
// paths), @request.* values, macros and geoDistance. Relations, back-relations, @collection,
// joined @request.auth fields and strftime need the database (evaluate throws
// std::invalid_argument; ask evaluable() first and fall back to SQL).
#pragma once

#include <span>
#include <stdexcept>

#include "basalt/db/value.hpp"
#include "basalt/query/lowering.hpp"
#include "basalt/query/plan.hpp"
#include "basalt/query/request_info.hpp"

namespace basalt::query {

// The record's `:each` values multiply to more combinations than the evaluator will try
// (kMaxEvaluationRows); the caller falls back to SQL.
class EvaluationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr std::size_t kMaxEvaluationRows = 1 << 16;

// Whether the record whose columns are `row` satisfies `plan`'s filter for `request` at `now`.
// `row` holds one value per field of the plan's collection, in field order, as SQLite returns
// it: TEXT for text-like fields, multi-valued fields and geoPoints as JSON text, json fields as
// JSON text or NULL, REAL for numbers, INTEGER 0/1 for bools.
// Throws std::invalid_argument when !plan.evaluable() or `row` is too short, EvaluationError
// as above.
bool evaluate(const Plan& plan, std::span<const db::Value> row, const RequestInfo& request,
              Clock::time_point now);

}  // namespace basalt::query
