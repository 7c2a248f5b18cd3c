// SqlNode: the small SQL expression tree a filter is compiled to, before it becomes text.
//
// One tree, two readers: SqlPrinter spells it in a dialect (sql_printer.hpp) and the Evaluator
// interprets it for one record (evaluator.hpp). Every PocketBase decision (NULL/empty equality,
// LIKE wrapping, all-of subqueries) is taken once, when the tree is built (lowering.hpp), so
// the text run by the database and the in-memory answer cannot drift apart.
//
// Nodes name what they compute, not how SQLite spells it: kJsonExtract is "the JSON value at a
// path, or the plain value when the column holds no JSON"; the SQLite printer expands it into
// PocketBase's CASE WHEN json_valid(...) form, a PostgreSQL printer would use jsonb operators.
//
// Invariants:
//   1. Nodes, sources and subqueries are trivially destructible and live in an Arena (a Plan's
//      for the parts that depend only on the schema, a compilation's for the rest); they are
//      immutable once built and may be shared by several trees.
//   2. Values never appear in SQL text: literals of the filter, request values and JSON paths
//      are kParam nodes. The only constants printed inline are the compiler's own: NULL, '',
//      0 and 1 (kInteger), and the fixed spellings of the dialect ('%' of kContains, the
//      ESCAPE character, 'array' and 'pb' of the JSON forms, the 6371 km of kGeoDistance).
//   3. A column is always qualified by its source; sources are identified by `key`, so the
//      same join reached from a rule and from a client filter is joined once.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "basalt/db/value.hpp"

namespace basalt::query {

struct SqlNode;
struct SqlSource;
struct MultiMatch;
struct PlanExpr;  // plan.hpp

// How SQLite's comparison rules see an operand (datatype3.html §4.2): a column of declared
// type TEXT, or INTEGER/REAL/NUMERIC, or no type (BLOB: json_each columns), or an expression.
enum class Affinity : std::uint8_t { kNone, kBlob, kText, kNumeric };

// How a value is a number on every engine, if it is: a number field's column (REAL), a bool
// field's column (0/1 on SQLite, BOOLEAN on PostgreSQL), a number parameter or literal. Two
// such values compare as numbers whatever their affinities, so a dialect may compare them
// natively (FilterDialect::compare).
enum class PlainNumber : std::uint8_t { kNone, kReal, kInteger, kBool };

// A bound value with the Go type PocketBase binds it as; the type decides how `~` turns it into
// a pattern (cast.ToString) and how it binds (bool as 0/1).
struct ParamValue {
  enum class Kind : std::uint8_t { kNull, kText, kReal, kInteger, kBool };
  Kind kind = Kind::kNull;
  std::int64_t integer = 0;  // kInteger; kBool: 0 or 1
  double real = 0;           // kReal (NaN binds as NULL, as SQLite does)
  std::string_view text;     // kText

  db::Value to_db() const;
};

// One step of a JSON path: `.key` or `[index]` (index holds the digits).
struct JsonPathStep {
  std::string_view key;
  bool index = false;
};

enum class SqlOp : std::uint8_t {
  // Values
  kColumn,           // `source`.`name`
  kParam,            // the bound `param`
  kNull,             // NULL
  kInteger,          // the constant `integer` (0 or 1: true/false, :isset)
  kEmptyText,        // ''
  kEachValue,        // the value column of the json_each `source`
  kMatchValue,       // the value column of the multi-match subquery `match`
  kLower,            // LOWER(a)
  kCoalesceEmpty,    // COALESCE(a, '')
  kContains,         // '%' || a || '%'
  kJsonExtract,      // a's JSON value at `path`; a itself (path empty) or NULL when a is no JSON
  kJsonArrayLength,  // item count of a as an array: 0 for '' and NULL, 1 for a non-array
  kGeoDistance,      // kilometres between (args[0] lon, args[1] lat) and (args[2], args[3])
  kStrftime,         // strftime(args...)
  kTruth,            // the condition a as a value: 1, 0 or NULL
  kCaseWhen,         // b where the condition a holds, NULL elsewhere (a guarded column)
  kAuthId,           // the authenticated record's id, bound from the request (NULL for guests)
  // Conditions
  kCompare,     // a `compare` b
  kIsNull,      // a IS NULL
  kIsNotNull,   // a IS NOT NULL
  kAnd,         // args[0] AND args[1] ...
  kOr,          // args[0] OR args[1] ...
  kNot,         // NOT a
  kNotExists,   // no row of `match` (times the rows of `match2`, when set) makes a false;
                //   b (and args[0] for match2), when set: MultiMatch::where and the rules'
                //   guards, lowered (the printer puts each guard in its join's ON clause)
  kRuleHolds,   // the row of `source`'s table whose id is a satisfies b: EXISTS (SELECT 1 FROM
                //   <source> WHERE <source>.id = a AND b), a subquery with joins of its own
  kInJsonEach,  // a IN (the items of b as a json_each array, non-arrays normalized)
  kInBodyIds,   // a IN (the ids the request body holds for relation field `name`)
};

enum class CompareOp : std::uint8_t { kEq, kIs, kIsNot, kLt, kLte, kGt, kGte, kLike, kNotLike };

struct SqlNode {
  SqlOp op = SqlOp::kNull;
  CompareOp compare = CompareOp::kEq;
  Affinity affinity = Affinity::kNone;  // kColumn (the column's); others kNone
  bool aux = false;         // kParam: not a filter value (json path, id): never LIKE-wrapped
  bool plain_text = false;  // kColumn: stored as plain TEXT on every engine (never JSON)
  PlainNumber number = PlainNumber::kNone;  // kColumn: stored as a number on every engine
  std::int32_t field_index = -1;  // kColumn of a record row: index in the collection's fields
  std::uint32_t arg_count = 0;
  const SqlNode* const* arg_data = nullptr;
  const SqlNode* a = nullptr;
  const SqlNode* b = nullptr;
  const SqlSource* source = nullptr;   // kColumn, kEachValue, kRuleHolds
  const MultiMatch* match = nullptr;   // kMatchValue, kNotExists
  const MultiMatch* match2 = nullptr;  // kNotExists (many-to-many), kMatchValue of the right side
  std::string_view name;               // kColumn: column; kInBodyIds: body field
  std::span<const JsonPathStep> path;  // kJsonExtract
  ParamValue param;                    // kParam
  std::int64_t integer = 0;            // kInteger

  std::span<const SqlNode* const> args() const noexcept { return {arg_data, arg_count}; }
};

enum class SourceKind : std::uint8_t { kTable, kJsonEach };

// A table or table-valued function in a FROM clause: the query's own table, a LEFT JOIN, or a
// table of a multi-match subquery.
struct SqlSource {
  SourceKind kind = SourceKind::kTable;
  bool normalize = true;           // kJsonEach: a non-array (or invalid JSON) is one item
  bool record_row = false;         // kTable: the filtered record itself (its columns read the row)
  bool id_is_key = false;          // kTable: `id` is the primary key (a base or auth table, not a
                                   //   view), so `id = <a row of this table>.id` finds that row
  std::string_view table;          // kTable
  const SqlNode* array = nullptr;  // kJsonEach: the JSON array
  const SqlNode* on = nullptr;     // the join condition; nullptr for none
  std::string_view alias;          // the alias wanted; the printer makes it unique
  std::string_view key;            // identity: sources with one key are one join
};

// The list rule of the collection a join of a client's path reaches (docs/security.md, "Access
// control", made stricter, docs/security.md): a related record the caller could not list is treated
// as if it did not exist: every join that reaches it, in the main query or in a multi-match
// subquery, gets the rule in its ON clause, so the row stays with NULLs, as for a dangling id or
// a record with no related rows. What a filter or sort answers never depends on records, or on
// the existence of records, the caller cannot see.
struct JoinRule {
  const SqlSource* join = nullptr;       // the table join the rule guards
  const SqlSource* rule_base = nullptr;  // the table the rule was resolved against (its own)
  const PlanExpr* rule = nullptr;        // request-dependent: lowered per compilation
};

// PocketBase's MultiMatchSubquery: the values of a multi-valued operand for the current record,
//   SELECT <value> FROM <from.table> <from> <joins...> WHERE <from>.id = <target>.id
//     [AND <where>]
// with each rule's guard ANDed to the ON clause of the join it guards (a hidden record reads
// as the LEFT JOIN's NULL row, as a missing one does).
// A plain operator holds for a record only if no value of this subquery fails it (all-of).
struct MultiMatch {
  const SqlSource* from = nullptr;
  const SqlSource* target = nullptr;
  const SqlSource* const* join_data = nullptr;
  std::uint32_t join_count = 0;
  const SqlNode* value = nullptr;
  const SqlNode* where = nullptr;  // request-independent row condition (emailVisibility), or none
  const JoinRule* rule_data = nullptr;
  std::uint32_t rule_count = 0;

  std::span<const SqlSource* const> joins() const noexcept { return {join_data, join_count}; }
  std::span<const JoinRule> rules() const noexcept { return {rule_data, rule_count}; }
};

}  // namespace basalt::query
