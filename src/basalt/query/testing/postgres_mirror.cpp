#include "basalt/query/testing/postgres_mirror.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <variant>

#include "basalt/collections/table_ddl.hpp"
#include "basalt/db/postgres/postgres_dialect.hpp"
#include "basalt/query/filter_dialect.hpp"

namespace basalt::query::testing {
namespace {

const db::PostgresDialect kDialect;

}  // namespace

PostgresMirror::PostgresMirror(FilterFixture& fixture, db::testing::LibpqSession& pg)
    : fixture_(fixture), pg_(pg) {
  for (const std::string& statement : filter_dialect_for(kDialect).setup_statements()) {
    pg_.exec(statement);
  }
  sync_tables();
}

void PostgresMirror::sync_tables() {
  for (const schema::Collection& collection : fixture_.collections()) {
    if (collection.is_view()) continue;
    if (std::find(tables_.begin(), tables_.end(), collection.name) != tables_.end()) continue;
    for (const std::string& statement : collections::create_statements(collection, kDialect)) {
      pg_.exec(statement);
    }
    tables_.push_back(collection.name);
  }
}

void PostgresMirror::copy_rows() {
  sync_tables();
  for (const std::string& table : tables_) {
    const schema::Collection& collection = fixture_.collection(table);
    pg_.exec("DELETE FROM " + kDialect.quote_identifier(table));
    std::string columns;
    std::string values;
    for (std::size_t i = 0; i < collection.fields.size(); ++i) {
      if (i > 0) {
        columns += ", ";
        values += ", ";
      }
      columns += kDialect.quote_identifier(collection.fields[i].name);
      values += kDialect.placeholder(i + 1);
    }
    const std::string insert = "INSERT INTO " + kDialect.quote_identifier(table) + " (" + columns +
                               ") VALUES (" + values + ")";
    for (const std::string& id : fixture_.all_ids(table)) {
      pg_.query(insert, text_params(fixture_.row(table, id)));
    }
  }
}

std::vector<db::testing::PgCell> PostgresMirror::text_params(const db::Params& params) {
  std::vector<db::testing::PgCell> out;
  out.reserve(params.size());
  for (const db::Value& value : params) {
    if (const auto* text = std::get_if<std::string>(&value)) {
      out.emplace_back(*text);
    } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
      out.emplace_back(std::to_string(*integer));
    } else if (const auto* real = std::get_if<double>(&value)) {
      char buffer[40];
      std::snprintf(buffer, sizeof buffer, "%.17g", *real);
      out.emplace_back(buffer);
    } else if (std::holds_alternative<std::nullptr_t>(value)) {
      out.emplace_back();
    } else {
      throw std::invalid_argument("a blob parameter in a filter");
    }
  }
  return out;
}

std::vector<std::string> PostgresMirror::ordered_ids(const CompiledQuery& query) {
  const std::string sql = query.select_sql(query.table + ".\"id\"");
  std::vector<std::string> out;
  for (const auto& row : pg_.query(sql, text_params(query.params))) out.push_back(*row[0]);
  return out;
}

std::vector<std::string> PostgresMirror::ids(const CompiledQuery& query) {
  std::vector<std::string> out = ordered_ids(query);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace basalt::query::testing
