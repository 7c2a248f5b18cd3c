#include "basalt/events/outbox_writer.hpp"

#include <sodium.h>

#include <algorithm>
#include <boost/json/serialize.hpp>

#include "basalt/core/span_scope.hpp"
#include "basalt/events/outbox_tables.hpp"
#include "basalt/schema/datetime.hpp"

namespace basalt::events {

std::uint8_t action_bit(records::RecordAction action) noexcept {
  switch (action) {
    case records::RecordAction::kCreate:
      return 1;
    case records::RecordAction::kUpdate:
      return 2;
    case records::RecordAction::kDelete:
      return 4;
  }
  return 0;
}

std::string new_event_id() {
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  char hex[sizeof bytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return std::string("evt_") + hex;
}

OutboxWriter::OutboxWriter(const db::Dialect& dialect, const core::Clock& clock)
    : dialect_(dialect), clock_(clock) {
  auto q = [&dialect](std::string_view name) { return dialect.quote_identifier(name); };
  insert_sql_ = "INSERT INTO " + q(kOutboxTable) + " (" + q("eventId") + ", " + q("action") + ", " +
                q("collectionId") + ", " + q("collectionName") + ", " + q("record") + ", " +
                q("committed") + ", " + q("traceparent") + ", " + q("tracestate") + ") VALUES (" +
                dialect.placeholder(1) + ", " + dialect.placeholder(2) + ", " +
                dialect.placeholder(3) + ", " + dialect.placeholder(4) + ", " +
                dialect.placeholder(5) + ", " + dialect.placeholder(6) + ", " +
                dialect.placeholder(7) + ", " + dialect.placeholder(8) + ")";
  lock_sql_ = dialect.commit_order_lock(dialect.placeholder(1));
  interests_.store(std::make_shared<const std::vector<Interest>>());
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

bool OutboxWriter::wants(std::string_view collection_id,
                         records::RecordAction action) const noexcept {
  const std::shared_ptr<const std::vector<Interest>> interests =
      interests_.load(std::memory_order_acquire);
  const std::uint8_t bit = action_bit(action);
  for (const Interest& interest : *interests) {
    if ((interest.actions & bit) == 0) continue;
    if (interest.collection_ids.empty()) return true;
    if (std::find(interest.collection_ids.begin(), interest.collection_ids.end(), collection_id) !=
        interest.collection_ids.end()) {
      return true;
    }
  }
  return false;
}

records::OutboxRow OutboxWriter::prepare(const records::RecordEvent& event) const {
  records::OutboxRow row;
  row.event_id = new_event_id();
  row.action = std::string(records::record_action_name(event.action));
  row.collection_id = event.collection_id;
  row.collection_name = event.collection_name;
  // The destinations are trusted services, but a password hash and the token key are secrets
  // of the record's owner: they never leave.
  boost::json::object record = event.record;
  record.erase("password");
  record.erase("tokenKey");
  row.record_json = boost::json::serialize(record);
  return row;
}

boost::asio::awaitable<void> OutboxWriter::append(db::Transaction& tx,
                                                  std::span<const records::OutboxRow> rows) {
  if (rows.empty()) co_return;
  if (!lock_sql_.empty()) {
    const db::Params key{db::Value(kOutboxOrderLockKey)};
    co_await tx.execute(lock_sql_, key);
  }
  const std::string committed = schema::format_datetime(clock_.now());
  // The trace the write runs in (the job's span, or an unsampled request's), so that the
  // dispatcher's delivery spans join it (docs/observability.md, "Deliveries"). Read here, in
  // the job, where the caller's span is current on both engines.
  const core::TraceContextValues trace = core::outgoing_trace_context();
  for (const records::OutboxRow& row : rows) {
    const db::Params params{db::Value(row.event_id),      db::Value(row.action),
                            db::Value(row.collection_id), db::Value(row.collection_name),
                            db::Value(row.record_json),   db::Value(committed),
                            db::Value(trace.traceparent), db::Value(trace.tracestate)};
    co_await tx.execute(insert_sql_, params);
  }
  appended_.fetch_add(rows.size(), std::memory_order_relaxed);
}

void OutboxWriter::set_interests(std::vector<Interest> interests) {
  interests_.store(std::make_shared<const std::vector<Interest>>(std::move(interests)),
                   std::memory_order_release);
}

}  // namespace basalt::events
