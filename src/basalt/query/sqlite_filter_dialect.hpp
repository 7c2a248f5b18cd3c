// SqliteFilterDialect: PocketBase's own SQLite spellings (tools/dbutils/json.go,
// tools/search/token_functions.go), so that a filter means here what it means there:
//   json_each      json_each(CASE WHEN iif(json_valid(x), json_type(x)='array', FALSE)
//                            THEN x ELSE json_array(x) END)
//   json_extract   (CASE WHEN json_valid(x) THEN json_extract(x, '$path')
//                   ELSE json_extract(json_object('pb', x), '$.pb<path>') END)
//   json_array_length  json_array_length(CASE WHEN iif(...) THEN x ELSE
//                   (CASE WHEN x = '' OR x IS NULL THEN json_array() ELSE json_array(x) END) END)
//   geoDistance    (6371 * acos(cos(radians(latA)) * cos(radians(latB)) *
//                   cos(radians(lonB) - radians(lonA)) + sin(radians(latA)) * sin(radians(latB))))
// with the JSON paths bound as parameters instead of written inline.
#pragma once

#include "basalt/query/filter_dialect.hpp"

namespace basalt::query {

class SqliteFilterDialect final : public FilterDialect {
 public:
  void json_each(std::string& out, std::string_view array, bool normalize) const override;
  std::string_view json_each_value() const noexcept override { return "value"; }
  void json_extract(std::string& out, std::string_view value, std::span<const JsonPathStep> path,
                    ParamBinder& binder) const override;
  void json_array_length(std::string& out, std::string_view value) const override;
  void like(std::string& out, std::string_view value, std::string_view pattern,
            bool negate) const override;
  void contains_pattern(std::string& out, std::string_view value) const override;
  void geo_distance(std::string& out, std::span<const std::string> args) const override;
  void strftime(std::string& out, std::span<const std::string> args) const override;
  std::string_view rowid() const noexcept override { return "_rowid_"; }
  std::string_view random() const noexcept override { return "RANDOM()"; }
  // SQLite's own comparisons, as written: the placeholder as it is, `a <op> b`, LOWER(),
  // COALESCE(), plain IN and ORDER BY operands, CROSS JOIN without ON, IS NOT 1, no setup.
  std::string typed_placeholder(std::string placeholder, const db::Value& value) const override;
  void compare(std::string& out, CompareOp op, const Operand& a, const Operand& b) const override;
  void lower(std::string& out, std::string_view value, bool plain_text) const override;
  void coalesce_empty(std::string& out, std::string_view value, bool plain_text) const override;
  void in_operand(std::string& out, std::string_view value) const override;
  void in_item(std::string& out, std::string_view placeholder) const override;
  void sort_key(std::string& out, const Operand& value) const override;
  std::string_view sort_direction(bool descending) const noexcept override {
    return descending ? " DESC" : " ASC";
  }
  std::string_view inner_join() const noexcept override { return "CROSS JOIN "; }
  bool join_needs_condition() const noexcept override { return false; }
  bool distinct_sorts_by_selected_columns_only() const noexcept override { return false; }
  std::string_view is_not_true() const noexcept override { return ") IS NOT 1"; }
  const std::vector<std::string>& setup_statements() const override;
};

// " = ", " IS NOT ", " < " ...: the SQL operator of a comparison that is no LIKE.
std::string_view compare_operator(CompareOp op) noexcept;

// "$.a[0].b" for the steps (a, 0, b); `prefix` goes between '$' and the steps (".pb").
std::string sqlite_json_path(std::span<const JsonPathStep> path, std::string_view prefix = {});

}  // namespace basalt::query
