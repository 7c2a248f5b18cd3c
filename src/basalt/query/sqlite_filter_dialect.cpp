#include "basalt/query/sqlite_filter_dialect.hpp"

#include <stdexcept>

#include "basalt/query/postgres_filter_dialect.hpp"

namespace basalt::query {
namespace {

void append_is_array(std::string& out, std::string_view x) {
  // iif keeps json_type() away from invalid JSON, on which it raises an error.
  out += "iif(json_valid(";
  out += x;
  out += "), json_type(";
  out += x;
  out += ")='array', FALSE)";
}

}  // namespace

std::string sqlite_json_path(std::span<const JsonPathStep> path, std::string_view prefix) {
  std::string out = "$";
  out += prefix;
  for (const JsonPathStep& step : path) {
    if (step.index) {
      out += '[';
      out += step.key;
      out += ']';
    } else {
      out += '.';
      out += step.key;
    }
  }
  return out;
}

void SqliteFilterDialect::json_each(std::string& out, std::string_view array,
                                    bool normalize) const {
  out += "json_each(";
  if (normalize) {
    out += "CASE WHEN ";
    append_is_array(out, array);
    out += " THEN ";
    out += array;
    out += " ELSE json_array(";
    out += array;
    out += ") END";
  } else {
    out += array;
  }
  out += ')';
}

void SqliteFilterDialect::json_extract(std::string& out, std::string_view value,
                                       std::span<const JsonPathStep> path,
                                       ParamBinder& binder) const {
  out += "(CASE WHEN json_valid(";
  out += value;
  out += ") THEN json_extract(";
  out += value;
  out += ", ";
  out += binder.bind(sqlite_json_path(path));
  out += ") ELSE json_extract(json_object('pb', ";
  out += value;
  out += "), ";
  out += binder.bind(sqlite_json_path(path, ".pb"));
  out += ") END)";
}

void SqliteFilterDialect::json_array_length(std::string& out, std::string_view value) const {
  out += "json_array_length(CASE WHEN ";
  append_is_array(out, value);
  out += " THEN ";
  out += value;
  out += " ELSE (CASE WHEN ";
  out += value;
  out += " = '' OR ";
  out += value;
  out += " IS NULL THEN json_array() ELSE json_array(";
  out += value;
  out += ") END) END)";
}

void SqliteFilterDialect::like(std::string& out, std::string_view value, std::string_view pattern,
                               bool negate) const {
  out += value;
  out += negate ? " NOT LIKE " : " LIKE ";
  out += pattern;
  out += " ESCAPE '\\'";
}

void SqliteFilterDialect::contains_pattern(std::string& out, std::string_view value) const {
  out += "('%' || ";
  out += value;
  out += " || '%')";
}

void SqliteFilterDialect::geo_distance(std::string& out, std::span<const std::string> args) const {
  if (args.size() != 4) throw std::invalid_argument("geoDistance takes 4 arguments");
  const std::string& lon_a = args[0];
  const std::string& lat_a = args[1];
  const std::string& lon_b = args[2];
  const std::string& lat_b = args[3];
  out += "(6371 * acos(cos(radians(" + lat_a + ")) * cos(radians(" + lat_b + ")) * cos(radians(" +
         lon_b + ") - radians(" + lon_a + ")) + sin(radians(" + lat_a + ")) * sin(radians(" +
         lat_b + "))))";
}

void SqliteFilterDialect::strftime(std::string& out, std::span<const std::string> args) const {
  out += "strftime(";
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (i > 0) out += ", ";
    out += args[i];
  }
  out += ')';
}

std::string_view compare_operator(CompareOp op) noexcept {
  switch (op) {
    case CompareOp::kEq:
      return " = ";
    case CompareOp::kIs:
      return " IS ";
    case CompareOp::kIsNot:
      return " IS NOT ";
    case CompareOp::kLt:
      return " < ";
    case CompareOp::kLte:
      return " <= ";
    case CompareOp::kGt:
      return " > ";
    case CompareOp::kGte:
      return " >= ";
    case CompareOp::kLike:
    case CompareOp::kNotLike:
      break;
  }
  return " ? ";
}

std::string SqliteFilterDialect::typed_placeholder(std::string placeholder,
                                                   const db::Value& /*value*/) const {
  return placeholder;
}

void SqliteFilterDialect::compare(std::string& out, CompareOp op, const Operand& a,
                                  const Operand& b) const {
  // SQLite applies the comparison affinity itself.
  out += a.sql;
  out += compare_operator(op);
  out += b.sql;
}

void SqliteFilterDialect::lower(std::string& out, std::string_view value,
                                bool /*plain_text*/) const {
  out += "LOWER(";
  out += value;
  out += ')';
}

void SqliteFilterDialect::coalesce_empty(std::string& out, std::string_view value,
                                         bool /*plain_text*/) const {
  out += "COALESCE(";
  out += value;
  out += ", '')";
}

void SqliteFilterDialect::in_operand(std::string& out, std::string_view value) const {
  out += value;
}

void SqliteFilterDialect::in_item(std::string& out, std::string_view placeholder) const {
  out += placeholder;
}

void SqliteFilterDialect::sort_key(std::string& out, const Operand& value) const {
  out += value.sql;  // SQLite's own order is the one to keep
}

const std::vector<std::string>& SqliteFilterDialect::setup_statements() const {
  static const std::vector<std::string> kNone;
  return kNone;
}

const FilterDialect& filter_dialect_for(const db::Dialect& dialect) {
  static const SqliteFilterDialect kSqlite;
  static const PostgresFilterDialect kPostgres;
  if (dialect.name() == "sqlite") return kSqlite;
  if (dialect.name() == "postgres") return kPostgres;
  throw std::invalid_argument("no filter dialect for the \"" + std::string(dialect.name()) +
                              "\" database dialect");
}

}  // namespace basalt::query
