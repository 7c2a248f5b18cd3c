// RecordService's entry points for the MFA gate (record_service.hpp, auth/mfa_gate.hpp): the
// rows of `_mfas`, written like any record (one write job each, a RecordEvent after the commit)
// but without rules or body validation - the gate makes every value itself.
#include "basalt/records/record_codec.hpp"
#include "basalt/records/record_service.hpp"
#include "basalt/records/service_support.hpp"
#include "basalt/schema/datetime.hpp"
#include "basalt/schema/ids.hpp"
#include "basalt/schema/system_collections.hpp"

namespace basalt::records {
namespace {

namespace json = boost::json;

std::string text_of(const json::object& row, std::string_view key) {
  const json::value* value = row.if_contains(key);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

const schema::Collection& mfas_collection(const collections::Catalog& catalog) {
  return support::find_collection(catalog, schema::kMfasCollection);
}

}  // namespace

boost::asio::awaitable<MfaRow> RecordService::create_mfa(std::string collection_ref,
                                                         std::string record_ref,
                                                         std::string method) {
  const auto catalog = collections_.catalog();
  const schema::Collection& collection = mfas_collection(*catalog);
  const db::Dialect& dialect = database_.dialect();
  MfaRow row{schema::new_record_id(), std::move(collection_ref), std::move(record_ref),
             std::move(method), schema::format_datetime(clock_.now())};
  std::string sql = "INSERT INTO " + dialect.quote_identifier(collection.name) + " (";
  const char* columns[] = {"id", "collectionRef", "recordRef", "method", "created", "updated"};
  for (std::size_t i = 0; i < std::size(columns); ++i) {
    sql += (i ? ", " : "") + dialect.quote_identifier(columns[i]);
  }
  sql += ") VALUES (";
  for (std::size_t i = 1; i <= std::size(columns); ++i) {
    sql += (i > 1 ? ", " : "") + dialect.placeholder(i);
  }
  sql += ")";
  const std::string select = select_sql(collection, dialect) + " WHERE " +
                             dialect.quote_identifier(schema::kFieldId) + " = " +
                             dialect.placeholder(1);
  std::vector<RecordEvent> events;
  auto job = [&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    events.clear();
    co_await tx.execute(sql, row.id, row.collection_ref, row.record_ref, row.method, row.created,
                        row.created);
    db::ResultSet rows = co_await tx.query(select, row.id);
    events.push_back(RecordEvent{RecordAction::kCreate, collection.id, collection.name,
                                 decode_row(collection, rows[0])});
  };
  const db::WriteJob outboxed = support::with_outbox(outbox_, events, job);
  co_await database_.write(outboxed);
  support::publish_all(events_, events);
  co_return row;
}

boost::asio::awaitable<std::optional<MfaRow>> RecordService::find_mfa(std::string id) {
  const auto catalog = collections_.catalog();
  const schema::Collection& collection = mfas_collection(*catalog);
  const db::Dialect& dialect = database_.dialect();
  const std::string sql = select_sql(collection, dialect) + " WHERE " +
                          dialect.quote_identifier(schema::kFieldId) + " = " +
                          dialect.placeholder(1);
  db::ResultSet rows = co_await database_.query(sql, id);
  if (rows.empty()) co_return std::nullopt;
  const json::object values = decode_row(collection, rows[0]);
  co_return MfaRow{text_of(values, "id"), text_of(values, "collectionRef"),
                   text_of(values, "recordRef"), text_of(values, "method"),
                   text_of(values, "created")};
}

boost::asio::awaitable<void> RecordService::delete_mfa(std::string id) {
  const auto catalog = collections_.catalog();
  const schema::Collection& collection = mfas_collection(*catalog);
  const db::Dialect& dialect = database_.dialect();
  const std::string id_match =
      " WHERE " + dialect.quote_identifier(schema::kFieldId) + " = " + dialect.placeholder(1);
  const std::string select = select_sql(collection, dialect) + id_match;
  const std::string remove = "DELETE FROM " + dialect.quote_identifier(collection.name) + id_match;
  std::vector<RecordEvent> events;
  auto job = [&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    events.clear();
    db::ResultSet rows = co_await tx.query(select, id);
    if (rows.empty()) co_return;  // already used or removed by a concurrent sign-in
    json::object values = decode_row(collection, rows[0]);
    co_await tx.execute(remove, id);
    events.push_back(
        RecordEvent{RecordAction::kDelete, collection.id, collection.name, std::move(values)});
  };
  const db::WriteJob outboxed = support::with_outbox(outbox_, events, job);
  co_await database_.write(outboxed);
  support::publish_all(events_, events);
}

}  // namespace basalt::records
