// JsonDialect: how one SQL dialect builds the JSON of a GraphQL answer inside a statement
// (record_statement.hpp). It is the only dialect-specific part of the GraphQL statements, as
// query::FilterDialect is of filters: SQLite spells it with json_object / json_group_array /
// json_each, PostgreSQL with json_build_object / json_agg / json_array_elements_text.
//
// Arguments are SQL text already printed (a quoted column, a placeholder, a subquery in
// parentheses); every value a spelling needs (a JSON path) is bound through `binder`, never
// written into the text. Every method returns an SQL expression. Implementations are stateless
// and thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "basalt/db/dialect.hpp"
#include "basalt/query/filter_dialect.hpp"

namespace basalt::graphql {

class JsonDialect {
 public:
  virtual ~JsonDialect() = default;

  // A JSON object of (key, value) pairs in this order: keys are placeholders of text values,
  // values SQL expressions (an expression of JSON type is embedded as JSON, anything else as a
  // JSON scalar). `field_names` are the keys' own texts, for spellings that need paths.
  virtual std::string object(std::span<const std::pair<std::string, std::string>> pairs,
                             std::span<const std::string> field_names,
                             query::ParamBinder& binder) const = 0;
  // The JSON array of `item` (an expression of JSON type) over the rows of a FROM clause, in
  // their order: an aggregate, `[]` over no rows.
  virtual std::string array_of_rows(std::string_view item) const = 0;
  // The same for plain (scalar) items.
  virtual std::string array_of_values(std::string_view item) const = 0;
  // `text` (JSON text, or NULL) as a value embedded as JSON; NULL stays NULL.
  virtual std::string parse(std::string_view text) const = 0;
  // `text` as JSON, and an empty array when it is NULL.
  virtual std::string parse_array(std::string_view text) const = 0;
  // Whether the bool column `column` holds true (a condition).
  virtual std::string is_true(std::string_view column) const = 0;
  // JSON true or false as `condition` holds.
  virtual std::string boolean(std::string_view condition) const = 0;
  // `text`'s member `key` (a JSON number), or 0 when it has none.
  virtual std::string number_member(std::string_view text, std::string_view key,
                                    query::ParamBinder& binder) const = 0;
  // A table-valued source with one row per item of the JSON array `array` (the caller appends
  // the alias), its item column and its position column (for ordering).
  virtual std::string each(std::string_view array) const = 0;
  virtual std::string_view each_value() const noexcept = 0;
  virtual std::string_view each_position() const noexcept = 0;
};

// The JsonDialect for `dialect` (by db::Dialect::name()). Throws std::invalid_argument for a
// dialect without one.
const JsonDialect& json_dialect_for(const db::Dialect& dialect);

}  // namespace basalt::graphql
