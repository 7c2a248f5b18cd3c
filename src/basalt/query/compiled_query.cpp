#include "basalt/query/compiled_query.hpp"

namespace basalt::query {

std::string CompiledQuery::from_sql() const {
  std::string out = record_source.empty() ? table : record_source;
  for (const auto& join : joins) {
    out += ' ';
    out += join;
  }
  return out;
}

std::string CompiledQuery::select_sql(std::string_view columns) const {
  const bool keyed = distinct && distinct_on && !order_by.empty();
  std::string out = !distinct ? "SELECT " : keyed ? "SELECT DISTINCT ON (" : "SELECT DISTINCT ";
  if (keyed) {
    for (const std::string& key : order_keys) {
      out += key;
      out += ", ";
    }
    out += rowid;
    out += ") ";
  }
  out += columns;
  out += " FROM ";
  out += from_sql();
  if (!where.empty()) {
    out += " WHERE ";
    out += where;
  }
  if (!order_by.empty()) {
    out += " ORDER BY ";
    out += order_by;
    if (keyed) {
      out += ", ";
      out += rowid;
    }
  }
  return out;
}

std::string CompiledQuery::count_sql(std::string_view count_column) const {
  // Without joins every row is one record, and COUNT(*) lets SQLite count an index (or the
  // table's b-tree pages) instead of building a distinct set of rowids.
  std::string out;
  if (distinct) {
    out = "SELECT COUNT(DISTINCT ";
    out += count_column.empty() ? std::string_view(rowid) : count_column;
    out += ") FROM ";
  } else {
    out = "SELECT COUNT(*) FROM ";
  }
  out += from_sql();
  if (!where.empty()) {
    out += " WHERE ";
    out += where;
  }
  return out;
}

db::Params CompiledQuery::count_params() const {
  return db::Params(params.begin(),
                    params.begin() + static_cast<std::ptrdiff_t>(count_param_count));
}

}  // namespace basalt::query
