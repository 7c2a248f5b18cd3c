// RecordService::file_access: which stored file a request may be served (docs/files.md,
// "Serving"). As PocketBase's file download: the record is read without any rule (a public
// file is public to whoever knows its URL), the name must be one of the record's file-field
// values, and only a protected field asks the collection's viewRule, with the file token's
// record as `@request.auth`. A view collection's file is found the same way on the view's
// record (the view's own viewRule for a protected field), then served from the record of the
// collection the view reads that field from: the first one whose field holds the name.
#include <boost/json/array.hpp>

#include "basalt/core/api_error.hpp"
#include "basalt/db/database_error.hpp"
#include "basalt/records/access.hpp"
#include "basalt/records/record_codec.hpp"
#include "basalt/records/record_service.hpp"
#include "basalt/records/service_support.hpp"
#include "basalt/schema/view_query.hpp"

namespace basalt::records {
namespace {

namespace json = boost::json;

constexpr std::string_view kProtectedFileContext = "protectedFile";

bool holds_name(const json::value& value, std::string_view filename) {
  if (const json::string* single = value.if_string()) return *single == filename;
  if (const json::array* many = value.if_array()) {
    for (const json::value& item : *many) {
      if (const json::string* name = item.if_string(); name && *name == filename) return true;
    }
  }
  return false;
}

// The file field of `collection` whose value in `record` holds `filename`; null when none.
const schema::Field* field_holding(const schema::Collection& collection, const json::object& record,
                                   std::string_view filename) {
  for (const schema::Field& field : collection.fields) {
    if (field.type() != schema::FieldType::kFile) continue;
    const json::value* value = record.if_contains(field.name);
    if (value && holds_name(*value, filename)) return &field;
  }
  return nullptr;
}

// The base collection and field `view`'s column `field_name` is read from, or null. SQLite names
// a column's origin through subqueries and views, so a view over a view leads to a table too.
std::pair<const schema::Collection*, const schema::Field*> view_field_source(
    db::Database& database, const collections::Catalog& catalog, const schema::Collection& view,
    std::string_view field_name) {
  std::vector<db::ColumnOrigin> columns;
  try {
    // The alias: PostgreSQL 15 wants one on a subquery in FROM.
    columns =
        database.describe("SELECT * FROM (\n" + schema::normalize_view_query(view.view_query) +
                          "\n) AS " + database.dialect().quote_identifier("view_source"));
  } catch (const db::DatabaseError&) {
    return {nullptr, nullptr};  // a view its tables no longer back: nothing to serve
  }
  for (const db::ColumnOrigin& column : columns) {
    if (column.name != field_name || column.table.empty()) continue;
    const schema::Collection* source = catalog.find(column.table);
    if (!source || source->is_view()) return {nullptr, nullptr};
    const schema::Field* field = source->field_by_name(column.column);
    if (!field || field->type() != schema::FieldType::kFile) return {nullptr, nullptr};
    return {source, field};
  }
  return {nullptr, nullptr};
}

}  // namespace

boost::asio::awaitable<FileAccess> RecordService::file_access(const Caller& viewer,
                                                              std::string_view collection_name,
                                                              std::string_view id,
                                                              std::string_view filename,
                                                              query::RequestInfo request) {
  FileAccess out;
  out.catalog = collections_.catalog();
  const schema::Collection* collection = out.catalog->find(collection_name);
  if (!collection || id.empty() || filename.empty()) {
    throw core::ApiError::not_found();
  }

  // The record as stored, without rules: a point read by primary key.
  const Access unruled(*out.catalog, viewer, plans_, database_.dialect(), clock_.now(),
                       user_budget_);
  const std::string wanted(id);
  const std::vector<query::PlanPtr> no_conditions;
  Statement statement =
      select_by_ids(unruled, *collection, no_conditions, request, std::span(&wanted, 1));
  statement.sql += " LIMIT 1";
  db::ResultSet rows =
      co_await database_.query(statement.sql, statement.params, unruled.point_read());
  if (rows.empty()) throw core::ApiError::not_found();
  const json::object record = decode_row(*collection, rows[0]);
  const schema::Field* field = field_holding(*collection, record, filename);
  if (!field) throw core::ApiError::not_found();

  if (std::get<schema::FileOptions>(field->options).is_protected && !viewer.is_superuser()) {
    // PocketBase's CanAccessRecord: a locked (null) rule admits superusers only, an empty one
    // everybody, any other must match the record for this viewer.
    if (!collection->view_rule) throw core::ApiError::not_found();
    const Access access(*out.catalog, viewer, plans_, database_.dialect(), clock_.now(),
                        user_budget_);
    request.context = std::string(kProtectedFileContext);
    request.auth = access.auth_info();
    const std::vector<query::PlanPtr> conditions =
        support::rule_conditions(access, *collection, collection->view_rule);
    if (!conditions.empty()) {
      Statement ruled =
          select_by_ids(access, *collection, conditions, request, std::span(&wanted, 1));
      ruled.sql += " LIMIT 1";
      db::ResultSet allowed =
          co_await database_.query(ruled.sql, ruled.params, access.point_read());
      if (allowed.empty()) throw core::ApiError::not_found();
    }
  }
  out.collection = collection;
  out.field = field;
  out.record_id = wanted;
  out.files_collection_id = collection->id;
  out.files_record_id = wanted;
  if (collection->is_view()) {
    // The record of the source collection whose field holds the name (PocketBase's
    // FindRecordByViewFile); a scan of that collection, so on the read pool.
    const auto [source, source_field] =
        view_field_source(database_, *out.catalog, *collection, field->name);
    if (!source) throw core::ApiError::not_found();
    const db::Dialect& dialect = database_.dialect();
    const std::string column = dialect.quote_identifier(source_field->name);
    const std::string condition =
        source_field->is_multiple()
            ? dialect.json_array_contains_any(column, dialect.placeholder(1))
            : column + " = " + dialect.placeholder(1);
    const std::string sql = "SELECT " + dialect.quote_identifier(schema::kFieldId) + " FROM " +
                            dialect.quote_identifier(source->name) + " WHERE " + condition +
                            " LIMIT 1";
    const db::Params params{std::string(filename)};
    db::ResultSet owners = co_await database_.query(sql, params, unruled.scan_read());
    if (owners.empty()) throw core::ApiError::not_found();
    out.files_collection_id = source->id;
    out.files_record_id = std::string(owners[0].as_text(0));
  }
  co_return out;
}

}  // namespace basalt::records
