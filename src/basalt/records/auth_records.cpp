// RecordService's narrow entry points for the auth flows (record_service.hpp): the auth record
// an identity names, and the rehash of its password after a sign-in. No rules and no
// validation: the auth module calls them only after its own checks.
#include <spdlog/spdlog.h>

#include "basalt/records/record_codec.hpp"
#include "basalt/records/record_service.hpp"
#include "basalt/records/service_support.hpp"

namespace basalt::records {

namespace json = boost::json;

// The record `identity` names through the first of `fields` that matches it, compared without
// regard to ASCII case (as PocketBase's case-insensitive email index does). When several records
// match a field case-insensitively, the one that matches exactly wins; without an exact match the
// identity is ambiguous (case-variant duplicates from before the case-insensitive email index)
// and names nobody: picking one would hand the account to whichever registered first.
boost::asio::awaitable<std::optional<json::object>> RecordService::find_auth_record(
    const schema::Collection& collection, std::span<const std::string> fields,
    std::string_view identity) {
  const db::Dialect& dialect = database_.dialect();
  const std::string wanted(identity);
  for (const auto& field : fields) {
    const std::string column = dialect.quote_identifier(field);
    // Exact (binary) matches sort first; two rows are enough to see an ambiguity.
    const std::string sql = select_sql(collection, dialect) + " WHERE " +
                            dialect.equals_ignoring_case(column, dialect.placeholder(1)) +
                            " ORDER BY " + column + " = " + dialect.placeholder(2) +
                            " DESC LIMIT 2";
    db::ResultSet rows = co_await database_.query(sql, wanted, wanted);
    if (rows.empty()) continue;
    json::object first = decode_row(collection, rows[0]);
    const json::value* value = first.if_contains(field);
    const bool exact = value && value->is_string() && value->get_string() == identity;
    if (rows.size() == 1 || exact) co_return first;
    spdlog::warn(
        "sign-in to {} refused: the identity matches several records on \"{}\" that differ only "
        "in letter case and none exactly",
        collection.name, field);
    co_return std::nullopt;
  }
  co_return std::nullopt;
}

boost::asio::awaitable<bool> RecordService::replace_password_hash(
    const schema::Collection& collection, std::string_view id, std::string_view checked_hash,
    std::string new_hash) {
  const db::Dialect& dialect = database_.dialect();
  const std::string table = dialect.quote_identifier(collection.name);
  const std::string id_column = dialect.quote_identifier(schema::kFieldId);
  const std::string password_column = dialect.quote_identifier(schema::kFieldPassword);
  const std::string update = "UPDATE " + table + " SET " + password_column + " = " +
                             dialect.placeholder(1) + " WHERE " + id_column + " = " +
                             dialect.placeholder(2) + " AND " + password_column + " = " +
                             dialect.placeholder(3);
  const std::string select =
      select_sql(collection, dialect) + " WHERE " + id_column + " = " + dialect.placeholder(1);
  const std::string record_id(id);
  const std::string expected(checked_hash);
  std::vector<RecordEvent> events;
  auto job = [&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    events.clear();
    const db::ExecResult changed = co_await tx.execute(update, new_hash, record_id, expected);
    if (changed.changes == 0) co_return;  // deleted, or its password changed since the check
    db::ResultSet rows = co_await tx.query(select, record_id);
    events.push_back(RecordEvent{RecordAction::kUpdate, collection.id, collection.name,
                                 decode_row(collection, rows[0])});
  };
  const db::WriteJob outboxed = support::with_outbox(outbox_, events, job);
  co_await database_.write(outboxed);
  support::publish_all(events_, events);
  co_return !events.empty();
}

}  // namespace basalt::records
