#include "basalt/events/outbox_tables.hpp"

#include <string>

namespace basalt::events {

namespace {

std::string create_tables_sql(const db::Dialect& d, int which) {
  auto q = [&d](std::string_view name) { return d.quote_identifier(name); };
  const std::string text(d.column_type(db::ColumnType::kText));
  const std::string integer(d.column_type(db::ColumnType::kInteger));
  switch (which) {
    case 0:
      return "CREATE TABLE " + q(kOutboxTable) + " (" + q("seq") + " " +
             std::string(d.increasing_key_column()) + ", " + q("eventId") + " " + text +
             " NOT NULL, " + q("action") + " " + text + " NOT NULL, " + q("collectionId") + " " +
             text + " NOT NULL, " + q("collectionName") + " " + text + " NOT NULL, " + q("record") +
             " " + text + " NOT NULL, " + q("committed") + " " + text + " NOT NULL)";
    case 1:
      return "CREATE TABLE " + q(kDestinationsTable) + " (" + q("id") + " " + text +
             " PRIMARY KEY NOT NULL, " + q("type") + " " + text + " NOT NULL, " + q("config") +
             " " + text + " NOT NULL, " + q("collections") + " " + text + " NOT NULL, " +
             q("actions") + " " + text + " NOT NULL, " + q("filter") + " " + text +
             " NOT NULL DEFAULT '', " + q("enabled") + " " + integer + " NOT NULL, " +
             q("maxAttempts") + " " + integer + " NOT NULL, " + q("created") + " " + text +
             " NOT NULL, " + q("updated") + " " + text + " NOT NULL)";
    case 2:
      return "CREATE TABLE " + q(kDestinationStatesTable) + " (" + q("destinationId") + " " + text +
             " PRIMARY KEY NOT NULL, " + q("cursor") + " " + integer + " NOT NULL, " +
             q("attempts") + " " + integer + " NOT NULL DEFAULT 0, " + q("nextAttempt") + " " +
             integer + " NOT NULL DEFAULT 0, " + q("owner") + " " + text +
             " NOT NULL DEFAULT '', " + q("leaseExpires") + " " + integer + " NOT NULL DEFAULT 0)";
    case 3:
      return "CREATE TABLE " + q(kDeliveriesTable) + " (" + q("id") + " " + text +
             " PRIMARY KEY NOT NULL, " + q("destinationId") + " " + text + " NOT NULL, " +
             q("seq") + " " + integer + " NOT NULL, " + q("eventId") + " " + text + " NOT NULL, " +
             q("action") + " " + text + " NOT NULL, " + q("collectionName") + " " + text +
             " NOT NULL, " + q("status") + " " + text + " NOT NULL, " + q("httpStatus") + " " +
             integer + " NOT NULL, " + q("attempt") + " " + integer + " NOT NULL, " +
             q("durationMs") + " " + integer + " NOT NULL, " + q("detail") + " " + text +
             " NOT NULL, " + q("created") + " " + text + " NOT NULL, " + q("createdMs") + " " +
             integer + " NOT NULL)";
    case 4:
      return "CREATE INDEX " + q("_deliveries_destination_created") + " ON " + q(kDeliveriesTable) +
             " (" + q("destinationId") + ", " + q("createdMs") + ")";
    case 5:
      return "CREATE TABLE " + q(kRedeliveriesTable) + " (" + q("id") + " " + text +
             " PRIMARY KEY NOT NULL, " + q("destinationId") + " " + text + " NOT NULL, " +
             q("seq") + " " + integer + " NOT NULL, " + q("createdMs") + " " + integer +
             " NOT NULL)";
    default:
      return {};
  }
}

// The write's trace context on every row (docs/observability.md, "Deliveries"); existing
// rows get '' (no trace).
std::string add_trace_column_sql(const db::Dialect& d, std::string_view column) {
  return "ALTER TABLE " + d.quote_identifier(kOutboxTable) + " ADD COLUMN " +
         d.quote_identifier(column) + " " + std::string(d.column_type(db::ColumnType::kText)) +
         " NOT NULL DEFAULT ''";
}

}  // namespace

std::vector<db::Migration> outbox_migrations(const db::Dialect& dialect) {
  const db::Dialect* d = &dialect;
  return {
      {"1700000100_events_outbox",
       [d](db::Transaction& tx) -> boost::asio::awaitable<void> {
         for (int which = 0; which <= 5; ++which) {
           const std::string sql = create_tables_sql(*d, which);
           co_await tx.execute(sql);
         }
       }},
      {"1700000101_events_destinations_version",
       [d](db::Transaction& tx) -> boost::asio::awaitable<void> {
         auto q = [d](std::string_view name) { return d->quote_identifier(name); };
         const std::string integer(d->column_type(db::ColumnType::kInteger));
         const std::string create = "CREATE TABLE " + q(kDestinationsVersionTable) + " (" +
                                    q("id") + " " + integer + " PRIMARY KEY NOT NULL, " +
                                    q("version") + " " + integer + " NOT NULL)";
         co_await tx.execute(create);
         const std::string seed = "INSERT INTO " + q(kDestinationsVersionTable) + " (" + q("id") +
                                  ", " + q("version") + ") VALUES (1, 1)";
         co_await tx.execute(seed);
       }},
      {"1700000110_events_outbox_trace_context",
       [d](db::Transaction& tx) -> boost::asio::awaitable<void> {
         for (std::string_view column : {"traceparent", "tracestate"}) {
           const std::string sql = add_trace_column_sql(*d, column);
           co_await tx.execute(sql);
         }
       }},
  };
}

}  // namespace basalt::events
