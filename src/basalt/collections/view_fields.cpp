#include "basalt/collections/view_fields.hpp"

#include <set>

#include "basalt/db/database_error.hpp"
#include "basalt/schema/collection_defaults.hpp"
#include "basalt/schema/view_query.hpp"

namespace basalt::collections {
namespace {

const schema::Field* source_field(std::span<const schema::Collection> catalog,
                                  const db::ColumnOrigin& origin) {
  if (origin.table.empty()) return nullptr;
  for (const auto& collection : catalog) {
    if (schema::iequals(collection.name, origin.table))
      return collection.field_by_name(origin.column);
  }
  return nullptr;
}

}  // namespace

boost::asio::awaitable<ViewFields> infer_view_fields(db::Transaction& tx,
                                                     const std::string& view_query,
                                                     std::span<const schema::Collection> catalog) {
  ViewFields result;
  if (auto problem = schema::check_view_query_shape(view_query)) {
    result.error = *problem;
    co_return result;
  }
  std::vector<db::ColumnOrigin> columns;
  try {
    // The alias: PostgreSQL 15 wants one on a subquery in FROM.
    const std::string wrapped =
        "SELECT * FROM (\n" + schema::normalize_view_query(view_query) + "\n) AS view_source";
    columns = co_await tx.describe(wrapped);
  } catch (const db::DatabaseError& error) {
    // Only superusers define views; the SQL error is what they need to fix the query.
    result.error = error.what();
    co_return result;
  }
  std::set<std::string> seen;
  bool has_id = false;
  for (const auto& column : columns) {
    if (!seen.insert(column.name).second) {
      result.error = "duplicated column name \"" + column.name + "\"";
      co_return result;
    }
    if (column.name == schema::kFieldId) {
      has_id = true;
      result.fields.push_back(schema::default_id_field());
      continue;
    }
    schema::Field field;
    if (const schema::Field* source = source_field(catalog, column)) {
      field = *source;
      field.id.clear();  // a view field gets its own id from its own name
      field.system = false;
      if (auto* text = field.as<schema::TextOptions>()) text->primary_key = false;
    } else {
      field.options = schema::JsonOptions{};
    }
    field.name = column.name;
    result.fields.push_back(std::move(field));
  }
  if (!has_id) {
    result.fields.clear();
    result.error = "the query must return an \"id\" column";
  }
  co_return result;
}

}  // namespace basalt::collections
