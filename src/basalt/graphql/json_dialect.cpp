// SQLite's and PostgreSQL's spellings of the GraphQL answers' JSON (json_dialect.hpp).
#include "basalt/graphql/json_dialect.hpp"

#include <algorithm>
#include <stdexcept>

namespace basalt::graphql {
namespace {

class SqliteJsonDialect final : public JsonDialect {
 public:
  // SQLite takes at most 127 arguments per function call: objects with more keys are built in
  // chunks of this many pairs (json_object, then json_insert for the rest, which appends in
  // order and, unlike json_patch, keeps null values).
  static constexpr std::size_t kPairsPerCall = 60;

  std::string object(std::span<const std::pair<std::string, std::string>> pairs,
                     std::span<const std::string> field_names,
                     query::ParamBinder& binder) const override {
    std::string out = "json_object(";
    std::size_t i = 0;
    for (; i < pairs.size() && i < kPairsPerCall; ++i) {
      out += (i ? ", " : "") + pairs[i].first + ", " + pairs[i].second;
    }
    out += ")";
    while (i < pairs.size()) {
      std::string chunk = "json_insert(" + out;
      for (std::size_t n = 0; i < pairs.size() && n < kPairsPerCall; ++i, ++n) {
        chunk += ", " + binder.bind("$.\"" + field_names[i] + "\"") + ", " + pairs[i].second;
      }
      out = chunk + ")";
    }
    return out;
  }

  std::string array_of_rows(std::string_view item) const override {
    // The item went through a subquery, which drops SQLite's JSON subtype: json() restores it.
    return "json_group_array(json(" + std::string(item) + "))";
  }

  std::string array_of_values(std::string_view item) const override {
    return "json_group_array(" + std::string(item) + ")";
  }

  std::string parse(std::string_view text) const override {
    return "json(" + std::string(text) + ")";
  }

  std::string parse_array(std::string_view text) const override {
    return "COALESCE(json(" + std::string(text) + "), json('[]'))";
  }

  std::string is_true(std::string_view column) const override {
    return std::string(column) + " <> 0";  // bools are stored as 0 and 1
  }

  std::string boolean(std::string_view condition) const override {
    return "CASE WHEN " + std::string(condition) + " THEN json('true') ELSE json('false') END";
  }

  std::string number_member(std::string_view text, std::string_view key,
                            query::ParamBinder& binder) const override {
    return "COALESCE(json_extract(" + std::string(text) + ", " +
           binder.bind("$." + std::string(key)) + "), 0)";
  }

  std::string each(std::string_view array) const override {
    return "json_each(" + std::string(array) + ")";
  }
  std::string_view each_value() const noexcept override { return "value"; }
  std::string_view each_position() const noexcept override { return "key"; }
};

// A bare placeholder (`$12`): PostgreSQL cannot infer its type inside json_build_object, so it
// is cast to text (every value the compiler binds as an object's value is a text).
bool is_placeholder(std::string_view sql) {
  if (sql.size() < 2 || sql[0] != '$') return false;
  return std::all_of(sql.begin() + 1, sql.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string typed(std::string_view sql) {
  return is_placeholder(sql) ? std::string(sql) + "::text" : std::string(sql);
}

// PostgreSQL: json (not jsonb, which would sort the keys) built with json_build_object and
// json_agg. Values of type json or jsonb are embedded as JSON, others as scalars; multi-valued
// and JSON columns are jsonb, bool columns BOOLEAN.
class PostgresJsonDialect final : public JsonDialect {
 public:
  // PostgreSQL takes at most 100 arguments per function call: larger objects are written as
  // text, pair by pair, which keeps the order json_build_object would (json keeps it too).
  static constexpr std::size_t kPairsPerCall = 50;

  std::string object(std::span<const std::pair<std::string, std::string>> pairs,
                     std::span<const std::string>, query::ParamBinder&) const override {
    if (pairs.size() <= kPairsPerCall) {
      std::string out = "json_build_object(";
      for (std::size_t i = 0; i < pairs.size(); ++i) {
        out += (i ? ", " : "") + typed(pairs[i].first) + ", " + typed(pairs[i].second);
      }
      return out + ")";
    }
    std::string out = "('{'";
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      out += std::string(i ? " || ','" : "") + " || to_json(" + typed(pairs[i].first) +
             ")::text || ':' || COALESCE(to_json(" + typed(pairs[i].second) + ")::text, 'null')";
    }
    return out + " || '}')::json";
  }

  std::string array_of_rows(std::string_view item) const override {
    return "COALESCE(json_agg(" + std::string(item) + "), '[]'::json)";
  }

  std::string array_of_values(std::string_view item) const override {
    return "COALESCE(json_agg(" + typed(item) + "), '[]'::json)";
  }

  std::string parse(std::string_view text) const override {
    return "(" + std::string(text) + ")::json";
  }

  std::string parse_array(std::string_view text) const override {
    return "COALESCE((" + std::string(text) + ")::json, '[]'::json)";
  }

  std::string is_true(std::string_view column) const override {
    return "(" + std::string(column) + ") IS TRUE";
  }

  std::string boolean(std::string_view condition) const override {
    return "CASE WHEN " + std::string(condition) + " THEN 'true'::json ELSE 'false'::json END";
  }

  std::string number_member(std::string_view text, std::string_view key,
                            query::ParamBinder& binder) const override {
    return "COALESCE((" + std::string(text) + ")::jsonb -> (" + binder.bind(std::string(key)) +
           ")::text, '0'::jsonb)";
  }

  // The items as text (a relation's ids, a file's names), with their position.
  std::string each(std::string_view array) const override {
    return "json_array_elements_text((" + std::string(array) + ")::json) WITH ORDINALITY";
  }
  std::string_view each_value() const noexcept override { return "value"; }
  std::string_view each_position() const noexcept override { return "ordinality"; }
};

}  // namespace

const JsonDialect& json_dialect_for(const db::Dialect& dialect) {
  static const SqliteJsonDialect kSqlite;
  static const PostgresJsonDialect kPostgres;
  if (dialect.name() == "sqlite") return kSqlite;
  if (dialect.name() == "postgres") return kPostgres;
  throw std::invalid_argument("no GraphQL JSON dialect for the \"" + std::string(dialect.name()) +
                              "\" database dialect");
}

}  // namespace basalt::graphql
