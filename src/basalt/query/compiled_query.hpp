// CompiledQuery: the pieces of one SELECT over a collection table that QueryBuilder produced
// from rules, filters and sorts (query_builder.hpp), and the statements built from them.
//
//   SELECT [DISTINCT] <columns> FROM <table> <joins...> [WHERE <where>] [ORDER BY <order_by>]
//   SELECT COUNT(DISTINCT <table>.<rowid>) FROM <table> <joins...> [WHERE <where>]
//   SELECT COUNT(*) FROM <table> [WHERE <where>]           (no joins: one row per record)
//
// `distinct` is set whenever there is a join: a join to a multiple relation, a back-relation or
// a json_each repeats the record once per value, and DISTINCT (COUNT(DISTINCT rowid) for the
// total) folds them back, as PocketBase does. `params` bind to the placeholders numbered from
// the builder's first_placeholder on; next_placeholder is the first number free for the
// caller's own parameters (LIMIT/OFFSET, or values of a surrounding statement). ORDER BY is
// numbered last, so the COUNT statement, which has none, binds count_params(): the first
// `count_param_count` params.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/db/value.hpp"

namespace basalt::query {

struct CompiledQuery {
  std::string table;  // quoted FROM table, also the alias columns are qualified by
  // The FROM item when the record is read from elsewhere (QueryBuilder::read_record_from):
  // `"<source>" "<table>"`; empty when it is the table itself.
  std::string record_source;
  std::vector<std::string> joins;  // "LEFT JOIN ..." clauses, parents first
  std::string where;               // "" when nothing filters
  std::string order_by;            // "" when unsorted; without the ORDER BY keywords
  db::Params params;
  std::size_t count_param_count = 0;  // params the FROM and WHERE clauses use (a prefix)
  std::size_t next_placeholder = 1;
  bool distinct = false;
  std::string rowid;  // quoted "<table>.<rowid column>"
  // The ORDER BY expressions without their directions, and whether DISTINCT with an ORDER BY
  // must be spelled `DISTINCT ON (<keys>, <rowid>)` ... `ORDER BY <order_by>, <rowid>`:
  // PostgreSQL sorts a DISTINCT result only by selected columns, and the sort keys (one value
  // per record: sorts never read multi-valued joins) are not selected. The rowid decides ties
  // only, which the SQL leaves unordered either way.
  std::vector<std::string> order_keys;
  bool distinct_on = false;

  // "<table> <joins...>"
  std::string from_sql() const;
  // The SELECT above; `columns` e.g. "\"posts\".*".
  std::string select_sql(std::string_view columns) const;
  // The COUNT above, by rowid; `count_column` (quoted, e.g. the id column) replaces the rowid
  // for views, which have none.
  std::string count_sql(std::string_view count_column = {}) const;
  // The parameters of count_sql().
  db::Params count_params() const;
};

}  // namespace basalt::query
