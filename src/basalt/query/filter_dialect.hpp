// FilterDialect: how one SQL dialect spells the functions and comparisons a compiled filter
// uses. It is the only dialect-specific part of filter compilation: the resolver, lowering and
// the printer's structure know no dialect, and db::Dialect (quoting, placeholders) stays as it
// is. SqliteFilterDialect prints PocketBase's own SQLite SQL; PostgresFilterDialect prints
// calls of SQL functions that give SQLite's answers on PostgreSQL (postgres_functions.hpp).
//
// Every method appends to `out`; arguments are SQL text already printed (a quoted column, a
// placeholder, a parenthesised expression). Values the spelling needs (JSON paths) are bound
// through `binder`, never written into the text. Implementations are stateless and
// thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/db/dialect.hpp"
#include "basalt/db/value.hpp"
#include "basalt/query/sql_node.hpp"

namespace basalt::query {

// Binds a value to the statement being printed and returns its placeholder.
class ParamBinder {
 public:
  virtual ~ParamBinder() = default;
  virtual std::string bind(db::Value value) = 0;
};

class FilterDialect {
 public:
  virtual ~FilterDialect() = default;

  // A table-valued source with one row per item of the JSON array `array`, usable after FROM
  // or LEFT JOIN (the caller appends the alias). `normalize`: a value that is no JSON array
  // (or no JSON at all, or NULL) is one item.
  virtual void json_each(std::string& out, std::string_view array, bool normalize) const = 0;
  // The item column of that source.
  virtual std::string_view json_each_value() const noexcept = 0;
  // `value`'s JSON value at `path` (`path` empty: the whole document), or, when `value` is no
  // JSON, `value` itself for an empty path and NULL otherwise.
  virtual void json_extract(std::string& out, std::string_view value,
                            std::span<const JsonPathStep> path, ParamBinder& binder) const = 0;
  // The item count of `value` as a JSON array: 0 for '' and NULL, 1 for a non-array.
  virtual void json_array_length(std::string& out, std::string_view value) const = 0;
  // value [NOT] LIKE pattern, case-insensitive for ASCII, with '\' as the escape character.
  virtual void like(std::string& out, std::string_view value, std::string_view pattern,
                    bool negate) const = 0;
  // The pattern "'%' || value || '%'" (value anywhere).
  virtual void contains_pattern(std::string& out, std::string_view value) const = 0;
  // Haversine distance in km between (lon_a, lat_a) and (lon_b, lat_b): args in that order.
  virtual void geo_distance(std::string& out, std::span<const std::string> args) const = 0;
  // SQLite's strftime(format, time-value, modifiers...).
  virtual void strftime(std::string& out, std::span<const std::string> args) const = 0;
  // The column that numbers a table's rows (for @rowid and COUNT(DISTINCT ...)).
  virtual std::string_view rowid() const noexcept = 0;
  // A random ordering key (for @random).
  virtual std::string_view random() const noexcept = 0;

  // `placeholder` (db::Dialect's) for a parameter bound to `value`, with the type the dialect
  // needs spelled out (PostgreSQL infers none for a placeholder inside a function call).
  virtual std::string typed_placeholder(std::string placeholder, const db::Value& value) const = 0;
  // The condition `a <op> b` (op neither kLike nor kNotLike) with SQLite's comparison rules
  // for operands of the given affinities (sql_node.hpp, Affinity; a subquery column has its
  // expression's). `plain_text`: the operand is TEXT on every engine (SqlPrinter::plain_text)
  // and may be compared as it is; `number`: the operand is a number on every engine
  // (SqlPrinter::plain_number).
  struct Operand {
    std::string_view sql;
    Affinity affinity = Affinity::kNone;
    bool plain_text = false;
    PlainNumber number = PlainNumber::kNone;
  };
  virtual void compare(std::string& out, CompareOp op, const Operand& a,
                       const Operand& b) const = 0;
  // LOWER(value) and COALESCE(value, ''); `plain_text` as for compare (the result is then
  // plain text too).
  virtual void lower(std::string& out, std::string_view value, bool plain_text) const = 0;
  virtual void coalesce_empty(std::string& out, std::string_view value, bool plain_text) const = 0;
  // `value` as the left operand of `IN (SELECT <json_each value> ...)` or `IN (<params>)`.
  virtual void in_operand(std::string& out, std::string_view value) const = 0;
  // `IN (<params>)`'s item: a bound placeholder.
  virtual void in_item(std::string& out, std::string_view placeholder) const = 0;
  // `value` (its affinity unused) as an ORDER BY key ordered as SQLite orders values (NULL first
  // ascending), followed by sort_direction().
  virtual void sort_key(std::string& out, const Operand& value) const = 0;
  // " ASC" or " DESC", with what the dialect needs to keep NULL first ascending.
  virtual std::string_view sort_direction(bool descending) const noexcept = 0;
  // The keyword of a join that keeps only matching rows ("CROSS JOIN " keeps SQLite to the
  // written order), and whether a join without an ON clause needs " ON TRUE".
  virtual std::string_view inner_join() const noexcept = 0;
  virtual bool join_needs_condition() const noexcept = 0;
  // Whether a SELECT DISTINCT may be sorted only by columns it selects (CompiledQuery then
  // prints DISTINCT ON).
  virtual bool distinct_sorts_by_selected_columns_only() const noexcept = 0;
  // Appended to a parenthesised condition: true when it is false or NULL (") IS NOT 1").
  virtual std::string_view is_not_true() const noexcept = 0;
  // The statements that create what this dialect's SQL calls; run once per database.
  virtual const std::vector<std::string>& setup_statements() const = 0;
};

// The FilterDialect for `dialect` (by db::Dialect::name()). Throws std::invalid_argument for a
// dialect without one.
const FilterDialect& filter_dialect_for(const db::Dialect& dialect);

}  // namespace basalt::query
