// PostgresFilterDialect: filters on PostgreSQL with SQLite's answers. Every value a filter
// compares goes through basalt_sv() into a basalt_v that keeps SQLite's storage class, and
// every comparison, LIKE and JSON access is a call of the SQL functions of
// postgres_functions.hpp, which implement SQLite's rules (comparison affinity, numbers before
// text, ASCII-only case folding, PocketBase's json_each/json_extract normalisation). Columns and
// parameters stay in their own types everywhere else, so joins on ids compare plain TEXT.
//
//   a = b            (basalt_cmp(basalt_numeric(basalt_sv(a)), basalt_numeric(basalt_sv(b))) = 0)
//   a IS NOT b       (NOT basalt_is(basalt_sv(a), basalt_sv(b)))
//   a LIKE p         basalt_like(basalt_sv(a), basalt_sv(p))
//   json_each(x)     basalt_json_each(x, true) alias       (column "value", a basalt_v)
//   json_extract     basalt_json_extract(x, $n::text[])   (steps 'k<key>' / 'i<index>')
//   ORDER BY x       basalt_sort(basalt_sv(x))             (NULL first, numbers, then text)
//   @rowid           ctid
// Parameters carry their type ($1::text, $2::bigint, $3::double precision). A join that SQLite
// writes as CROSS JOIN (to keep its order) is a plain JOIN here, and every join has an ON.
#pragma once

#include "basalt/query/filter_dialect.hpp"

namespace basalt::query {

class PostgresFilterDialect final : public FilterDialect {
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
  std::string_view rowid() const noexcept override { return "ctid"; }
  std::string_view random() const noexcept override { return "random()"; }
  std::string typed_placeholder(std::string placeholder, const db::Value& value) const override;
  void compare(std::string& out, CompareOp op, const Operand& a, const Operand& b) const override;
  void lower(std::string& out, std::string_view value, bool plain_text) const override;
  void coalesce_empty(std::string& out, std::string_view value, bool plain_text) const override;
  void in_operand(std::string& out, std::string_view value) const override;
  void in_item(std::string& out, std::string_view placeholder) const override;
  void sort_key(std::string& out, const Operand& value) const override;
  // PostgreSQL sorts NULL last ascending; SQLite first.
  std::string_view sort_direction(bool descending) const noexcept override {
    return descending ? " DESC NULLS LAST" : " ASC NULLS FIRST";
  }
  std::string_view inner_join() const noexcept override { return "JOIN "; }
  bool join_needs_condition() const noexcept override { return true; }
  bool distinct_sorts_by_selected_columns_only() const noexcept override { return true; }
  std::string_view is_not_true() const noexcept override { return ") IS NOT TRUE"; }
  const std::vector<std::string>& setup_statements() const override;
};

// The text[] literal of a JSON path for basalt_json_extract: {"ka","i0","kb"} for a[0].b.
std::string postgres_json_path(std::span<const JsonPathStep> path);

}  // namespace basalt::query
