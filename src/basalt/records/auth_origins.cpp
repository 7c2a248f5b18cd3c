// RecordService::note_auth_origin (record_service.hpp): the rows of `_authOrigins` - the
// devices an auth record signed in from (docs/auth-flows.md, "Sign-in alerts") - written like
// any record (one write job, a RecordEvent per changed row after the commit) but without rules
// or body validation: the caller made every value.
#include "basalt/records/record_codec.hpp"
#include "basalt/records/record_service.hpp"
#include "basalt/records/service_support.hpp"
#include "basalt/schema/datetime.hpp"
#include "basalt/schema/ids.hpp"
#include "basalt/schema/system_collections.hpp"

namespace basalt::records {
namespace {

namespace json = boost::json;

std::string origin_text(const json::object& row, std::string_view key) {
  const json::value* value = row.if_contains(key);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

}  // namespace

boost::asio::awaitable<AuthOriginNote> RecordService::note_auth_origin(std::string collection_ref,
                                                                       std::string record_ref,
                                                                       std::string fingerprint) {
  const auto catalog = collections_.catalog();
  const schema::Collection& collection =
      support::find_collection(*catalog, schema::kAuthOriginsCollection);
  const db::Dialect& dialect = database_.dialect();
  auto q = [&](std::string_view name) { return dialect.quote_identifier(name); };
  const std::string table = q(collection.name);
  // Newest first, as PocketBase lists them (created DESC); the id breaks ties of one instant.
  const std::string list = select_sql(collection, dialect) + " WHERE " + q("collectionRef") +
                           " = " + dialect.placeholder(1) + " AND " + q("recordRef") + " = " +
                           dialect.placeholder(2) + " ORDER BY " + q("created") + " DESC, " +
                           q(schema::kFieldId) + " DESC";
  const std::string by_id = " WHERE " + q(schema::kFieldId) + " = " + dialect.placeholder(1);
  const std::string touch =
      "UPDATE " + table + " SET " + q("updated") + " = " + dialect.placeholder(2) + by_id;
  const std::string remove = "DELETE FROM " + table + by_id;
  const std::string insert = "INSERT INTO " + table + " (" + q(schema::kFieldId) + ", " +
                             q("collectionRef") + ", " + q("recordRef") + ", " + q("fingerprint") +
                             ", " + q("created") + ", " + q("updated") + ") VALUES (" +
                             dialect.placeholder(1) + ", " + dialect.placeholder(2) + ", " +
                             dialect.placeholder(3) + ", " + dialect.placeholder(4) + ", " +
                             dialect.placeholder(5) + ", " + dialect.placeholder(5) + ")";
  const std::string select_one = select_sql(collection, dialect) + by_id;
  const std::string now = schema::format_datetime(clock_.now());
  const std::string new_id = schema::new_record_id();
  AuthOriginNote note;
  std::vector<RecordEvent> events;
  auto job = [&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    events.clear();
    note = AuthOriginNote{};
    db::ResultSet rows = co_await tx.query(list, collection_ref, record_ref);
    std::vector<json::object> origins;
    for (auto row : rows) origins.push_back(decode_row(collection, row));
    note.first_sign_in = origins.empty();
    std::string known_id;
    for (const json::object& origin : origins) {
      if (origin_text(origin, "fingerprint") == fingerprint) {
        known_id = origin_text(origin, schema::kFieldId);
        break;
      }
    }
    note.new_origin = known_id.empty();
    if (!note.new_origin) {
      co_await tx.execute(touch, known_id, now);
      db::ResultSet touched = co_await tx.query(select_one, known_id);
      events.push_back(RecordEvent{RecordAction::kUpdate, collection.id, collection.name,
                                   decode_row(collection, touched[0])});
      co_return;
    }
    // Room for the new one: the oldest beyond kMaxAuthOrigins - 1 go.
    for (std::size_t i = kMaxAuthOrigins - 1; i < origins.size(); ++i) {
      const std::string old_id = origin_text(origins[i], schema::kFieldId);
      co_await tx.execute(remove, old_id);
      events.push_back(RecordEvent{RecordAction::kDelete, collection.id, collection.name,
                                   std::move(origins[i])});
    }
    co_await tx.execute(insert, new_id, collection_ref, record_ref, fingerprint, now);
    db::ResultSet inserted = co_await tx.query(select_one, new_id);
    events.push_back(RecordEvent{RecordAction::kCreate, collection.id, collection.name,
                                 decode_row(collection, inserted[0])});
  };
  const db::WriteJob outboxed = support::with_outbox(outbox_, events, job);
  co_await database_.write(outboxed);
  support::publish_all(events_, events);
  co_return note;
}

}  // namespace basalt::records
