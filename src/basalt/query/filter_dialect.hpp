// FilterDialect: how one SQL dialect spells the functions a compiled filter uses. It is the
// only SQLite-specific part of filter compilation: the resolver, lowering and the printer's
// structure know no dialect, and db::Dialect (quoting, placeholders) stays as it is. A
// PostgreSQL dialect implements this interface (jsonb_array_elements, jsonb path operators,
// ILIKE ...) without touching anything else.
//
// Every method appends to `out`; arguments are SQL text already printed (a quoted column, a
// placeholder, a parenthesised expression). Values the spelling needs (JSON paths) are bound
// through `binder`, never written into the text. Implementations are stateless and
// thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>

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
};

// The FilterDialect for `dialect` (by db::Dialect::name()). Throws std::invalid_argument for a
// dialect without one.
const FilterDialect& filter_dialect_for(const db::Dialect& dialect);

}  // namespace basalt::query
