#include "basalt/records/expired_auth_rows.hpp"

#include <chrono>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "basalt/records/record_codec.hpp"
#include "basalt/records/service_support.hpp"
#include "basalt/schema/datetime.hpp"
#include "basalt/schema/system_collections.hpp"

namespace basalt::records {

namespace json = boost::json;

boost::asio::awaitable<RecordService::ExpiredPage> RecordService::delete_expired_page(
    std::string table, std::string collection_ref, std::chrono::seconds lifetime,
    std::size_t page_size) {
  const auto catalog = collections_.catalog();
  const schema::Collection* rows_collection = catalog->find(table);
  if (!rows_collection) co_return ExpiredPage{};
  const schema::Collection& collection = *rows_collection;
  const db::Dialect& dialect = database_.dialect();
  auto q = [&](std::string_view name) { return dialect.quote_identifier(name); };
  // PocketBase datetimes sort as text, so `created < oldest` compares instants.
  const std::string oldest = schema::format_datetime(clock_.now() - lifetime);
  const std::string page = select_sql(collection, dialect) + " WHERE " + q("collectionRef") +
                           " = " + dialect.placeholder(1) + " AND " + q("created") + " < " +
                           dialect.placeholder(2) + " ORDER BY " + q("created") + " LIMIT " +
                           std::to_string(page_size);
  db::ResultSet rows = co_await database_.query(page, collection_ref, oldest);
  if (rows.empty()) co_return ExpiredPage{};
  std::vector<json::object> expired;
  for (auto row : rows) expired.push_back(decode_row(collection, row));
  const std::size_t read = expired.size();
  const std::string remove = "DELETE FROM " + q(collection.name) + " WHERE " + q(schema::kFieldId) +
                             " = " + dialect.placeholder(1) + " AND " + q("created") + " < " +
                             dialect.placeholder(2);
  std::vector<RecordEvent> events;
  auto job = [&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    events.clear();
    for (const json::object& row : expired) {
      const std::string id(row.at(schema::kFieldId).get_string());
      const db::ExecResult done = co_await tx.execute(remove, id, oldest);
      // Gone meanwhile (a sign-in used it): nothing to announce.
      if (done.changes == 0) continue;
      events.push_back(RecordEvent{RecordAction::kDelete, collection.id, collection.name, row});
    }
  };
  const db::WriteJob outboxed = support::with_outbox(outbox_, events, job);
  co_await database_.write(outboxed);
  support::publish_all(events_, events);
  co_return ExpiredPage{read, events.size()};
}

ExpiredAuthRowsReport sweep_expired_auth_rows(RecordService& records,
                                              const collections::CollectionService& collections,
                                              std::size_t page_size, const std::atomic<bool>& stop,
                                              std::string_view only_table) {
  ExpiredAuthRowsReport report;
  const auto catalog = collections.catalog();
  boost::asio::io_context context;
  for (const schema::Collection& collection : catalog->all()) {
    if (!collection.is_auth()) continue;
    const struct {
      std::string_view table;
      std::chrono::seconds lifetime;
      std::size_t* count;
    } kinds[] = {
        {schema::kOtpsCollection, std::chrono::seconds(collection.auth.otp.duration), &report.otps},
        {schema::kMfasCollection, std::chrono::seconds(collection.auth.mfa.duration), &report.mfas},
    };
    for (const auto& kind : kinds) {
      if (!only_table.empty() && kind.table != only_table) continue;
      for (;;) {
        if (stop.load()) return report;
        std::string table(kind.table);
        std::string collection_ref = collection.id;
        auto page = boost::asio::co_spawn(
            context,
            records.delete_expired_page(std::move(table), std::move(collection_ref), kind.lifetime,
                                        page_size),
            boost::asio::use_future);
        context.restart();
        context.run();
        const RecordService::ExpiredPage done = page.get();
        *kind.count += done.deleted;
        // A short page was the last; a full one may have more behind it.
        if (done.read < page_size) break;
      }
    }
  }
  return report;
}

}  // namespace basalt::records
