#include "basalt/records/cascade.hpp"

#include <set>

#include "basalt/core/api_error.hpp"
#include "basalt/db/dialect.hpp"
#include "basalt/records/record_codec.hpp"

namespace basalt::records {
namespace {

namespace json = boost::json;

// The system collections whose rows belong to an auth record (collectionRef + recordRef).
constexpr std::string_view kAuthOwnedTables[] = {"_externalAuths", "_mfas", "_otps",
                                                 "_authOrigins"};
// Tables (not collections) that always exist and hold rows of an auth record the same way.
constexpr std::string_view kAuthOwnedPlainTables[] = {"_totp"};

struct DeleteJob {
  db::Transaction& tx;
  const collections::Catalog& catalog;
  const db::Dialect& dialect;
  std::string now;
  std::vector<RecordEvent> events;
  std::set<std::pair<std::string, std::string>> deleting;  // (collection id, record id)
};

// The records of `referrer` whose relation `field` holds `id`.
boost::asio::awaitable<std::vector<json::object>> referencing_rows(
    DeleteJob& job, const schema::Collection& referrer, const schema::Field& field,
    const std::string& id) {
  const std::string column =
      job.dialect.quote_identifier(referrer.name) + "." + job.dialect.quote_identifier(field.name);
  const std::string match =
      field.is_multiple() ? job.dialect.json_array_contains_any(column, job.dialect.placeholder(1))
                          : column + " = " + job.dialect.placeholder(1);
  const std::string sql = select_sql(referrer, job.dialect) + " WHERE " + match;
  db::ResultSet rows = co_await job.tx.query(sql, id);
  std::vector<json::object> out;
  out.reserve(rows.size());
  for (auto row : rows) out.push_back(decode_row(referrer, row));
  co_return out;
}

// Deletes the rows of `table` that belong to auth record `id` of `collection_id`.
boost::asio::awaitable<void> delete_owned_rows(DeleteJob& job, std::string_view table,
                                               const std::string& collection_id,
                                               const std::string& id) {
  const std::string sql =
      "DELETE FROM " + job.dialect.quote_identifier(table) + " WHERE " +
      job.dialect.quote_identifier("collectionRef") + " = " + job.dialect.placeholder(1) + " AND " +
      job.dialect.quote_identifier("recordRef") + " = " + job.dialect.placeholder(2);
  co_await job.tx.execute(sql, collection_id, id);
}

boost::asio::awaitable<void> delete_record(DeleteJob& job, const schema::Collection& collection,
                                           json::object values);

// Removes `id` from `field` of `row` (or deletes `row` when the field cascades).
boost::asio::awaitable<void> detach(DeleteJob& job, const schema::Collection& referrer,
                                    const schema::Field& field, json::object row,
                                    const std::string& id) {
  const auto& options = std::get<schema::RelationOptions>(field.options);
  json::value& value = row[field.name];
  bool empty = true;
  if (value.is_array()) {
    json::array kept;
    for (const auto& item : value.get_array()) {
      if (!(item.is_string() && item.get_string() == id)) kept.push_back(item);
    }
    empty = kept.empty();
    value = std::move(kept);
  } else {
    value = "";
  }
  // A cascading relation takes the record with it only when no other reference remains.
  if (options.cascade_delete && empty) {
    co_await delete_record(job, referrer, std::move(row));
    co_return;
  }
  if (field.required && empty)
    throw core::ApiError::bad_request(std::string(kRequiredReferenceMessage));
  for (const auto& other : referrer.fields) {
    const auto* stamp = other.as<schema::AutodateOptions>();
    if (stamp && stamp->on_update) row[other.name] = job.now;
  }
  db::Params params = update_params(referrer, row, row.at(schema::kFieldId).get_string());
  co_await job.tx.execute(update_sql(referrer, job.dialect), params);
  job.events.push_back(RecordEvent{RecordAction::kUpdate, referrer.id, referrer.name, row});
}

boost::asio::awaitable<void> delete_record(DeleteJob& job, const schema::Collection& collection,
                                           json::object values) {
  const std::string id(values.at(schema::kFieldId).get_string());
  if (!job.deleting.emplace(collection.id, id).second) co_return;  // already on its way out
  for (const auto& referrer : job.catalog.all()) {
    if (referrer.is_view()) continue;
    for (const auto& field : referrer.fields) {
      const auto* options = field.as<schema::RelationOptions>();
      if (!options || options->collection_id != collection.id) continue;
      std::vector<json::object> rows = co_await referencing_rows(job, referrer, field, id);
      for (auto& row : rows) {
        const std::string row_id(row.at(schema::kFieldId).get_string());
        if (&referrer == &collection && row_id == id) continue;  // a self-reference goes with it
        if (job.deleting.contains({referrer.id, row_id})) continue;
        co_await detach(job, referrer, field, std::move(row), id);
      }
    }
  }
  if (collection.is_auth()) {
    for (std::string_view table : kAuthOwnedTables) {
      if (!job.catalog.find(table)) continue;
      co_await delete_owned_rows(job, table, collection.id, id);
    }
    for (std::string_view table : kAuthOwnedPlainTables) {
      co_await delete_owned_rows(job, table, collection.id, id);
    }
  }
  const std::string sql = "DELETE FROM " + job.dialect.quote_identifier(collection.name) +
                          " WHERE " + job.dialect.quote_identifier(schema::kFieldId) + " = " +
                          job.dialect.placeholder(1);
  co_await job.tx.execute(sql, id);
  job.events.push_back(
      RecordEvent{RecordAction::kDelete, collection.id, collection.name, std::move(values)});
}

}  // namespace

boost::asio::awaitable<void> delete_with_cascades(db::Transaction& tx,
                                                  const collections::Catalog& catalog,
                                                  const db::Dialect& dialect, std::string now,
                                                  const schema::Collection& collection,
                                                  json::object values,
                                                  std::vector<RecordEvent>& events) {
  DeleteJob job{tx, catalog, dialect, std::move(now), {}, {}};
  co_await delete_record(job, collection, std::move(values));
  for (auto& event : job.events) events.push_back(std::move(event));
}

}  // namespace basalt::records
