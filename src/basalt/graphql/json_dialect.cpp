// SQLite's spelling of the GraphQL answers' JSON (json_dialect.hpp).
#include "basalt/graphql/json_dialect.hpp"

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

}  // namespace

const JsonDialect& json_dialect_for(const db::Dialect& dialect) {
  static const SqliteJsonDialect kSqlite;
  if (dialect.name() == "sqlite") return kSqlite;
  throw std::invalid_argument("no GraphQL JSON dialect for the \"" + std::string(dialect.name()) +
                              "\" database dialect");
}

}  // namespace basalt::graphql
