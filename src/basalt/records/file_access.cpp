// RecordService::file_access: which stored file a request may be served (docs/files.md,
// "Serving"). As PocketBase's file download: the record is read without any rule (a public
// file is public to whoever knows its URL), the name must be one of the record's file-field
// values, and only a protected field asks the collection's viewRule, with the file token's
// record as `@request.auth`.
#include <boost/json/array.hpp>

#include "basalt/core/api_error.hpp"
#include "basalt/records/access.hpp"
#include "basalt/records/record_codec.hpp"
#include "basalt/records/record_service.hpp"
#include "basalt/records/service_support.hpp"

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

}  // namespace

boost::asio::awaitable<FileAccess> RecordService::file_access(const Caller& viewer,
                                                              std::string_view collection_name,
                                                              std::string_view id,
                                                              std::string_view filename,
                                                              query::RequestInfo request) {
  FileAccess out;
  out.catalog = collections_.catalog();
  const schema::Collection* collection = out.catalog->find(collection_name);
  // A view's files live under the records of the collection its query reads them from, which
  // the catalog does not record yet: not served (docs/files.md, "Serving").
  if (!collection || collection->is_view() || id.empty() || filename.empty()) {
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
  co_return out;
}

}  // namespace basalt::records
