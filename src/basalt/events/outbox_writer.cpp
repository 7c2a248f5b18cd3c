#include "basalt/events/outbox_writer.hpp"

#include <sodium.h>

#include <algorithm>
#include <boost/json/parse.hpp>

#include "basalt/core/span_scope.hpp"
#include "basalt/events/custom_events.hpp"
#include "basalt/events/outbox_tables.hpp"
#include "basalt/schema/datetime.hpp"
#include "basalt/schema/go_json.hpp"
#include "basalt/schema/ids.hpp"

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

namespace {

// Bit 8: some custom event type (custom_events.hpp). Which type, is the dispatcher's check;
// here it only keeps the row.
constexpr std::uint8_t kCustomBit = 8;

std::uint8_t action_bits_of(std::string_view actions_json) {
  const boost::json::value parsed = boost::json::parse(actions_json);
  std::uint8_t bits = 0;
  for (const boost::json::value& item : parsed.as_array()) {
    const boost::json::string& name = item.as_string();
    if (name == "create") bits |= 1;
    if (name == "update") bits |= 2;
    if (name == "delete") bits |= 4;
    if (is_custom_action(name)) bits |= kCustomBit;
  }
  // No record action named: [] is every record action; only custom types is none of them.
  if ((bits & 7) == 0 && (bits & kCustomBit) == 0) bits = 7;
  return bits;
}

std::uint8_t action_bit_of(std::string_view action) noexcept {
  if (action == "create") return 1;
  if (action == "update") return 2;
  if (action == "delete") return 4;
  if (is_custom_action(action)) return kCustomBit;
  return 0;
}

}  // namespace

bool InterestSnapshot::wants(std::string_view collection_id,
                             std::uint8_t action_bits) const noexcept {
  for (const Interest& interest : interests) {
    if ((interest.actions & action_bits) == 0) continue;
    // A custom event has no collection: a destination's collections do not restrict it.
    if (interest.collection_ids.empty() || action_bits == kCustomBit) return true;
    if (std::find(interest.collection_ids.begin(), interest.collection_ids.end(), collection_id) !=
        interest.collection_ids.end()) {
      return true;
    }
  }
  return false;
}

boost::asio::awaitable<void> begin_destinations_change(db::Transaction& tx,
                                                       const db::Dialect& dialect) {
  // A random version, never a counter: a change rolled back (a SQLite savepoint of a group
  // commit another job already read through) must not leave its number to be reused.
  std::int64_t version = 0;
  while (version == 0) randombytes_buf(&version, sizeof version);
  const std::string sql = "UPDATE " + dialect.quote_identifier(kDestinationsVersionTable) +
                          " SET " + dialect.quote_identifier("version") + " = " +
                          dialect.placeholder(1);
  const db::Params params{db::Value(version)};
  co_await tx.execute(sql, params);
}

std::string new_event_id() {
  unsigned char bytes[16];
  schema::random_bytes(bytes, sizeof bytes);
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
  version_sql_ = "SELECT " + q("version") + " FROM " + q(kDestinationsVersionTable);
  interests_sql_ = "SELECT " + q("collections") + ", " + q("actions") + " FROM " +
                   q(kDestinationsTable) + " WHERE " + q("enabled") + " = 1";
  snapshot_.store(std::make_shared<const InterestSnapshot>());
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

bool OutboxWriter::wants(std::string_view collection_id,
                         records::RecordAction action) const noexcept {
  // A hint (OutboxPort invariant 2): whether to serialize before the job. append() decides in
  // the transaction, so a destination this snapshot does not know yet loses nothing.
  return interested(collection_id, action);
}

bool OutboxWriter::interested(std::string_view collection_id,
                              records::RecordAction action) const noexcept {
  return snapshot_.load(std::memory_order_acquire)->wants(collection_id, action_bit(action));
}

boost::asio::awaitable<std::shared_ptr<const InterestSnapshot>> OutboxWriter::current(
    db::Transaction& tx) {
  // SQLite: the single writer runs this job after every change job before it. PostgreSQL: the
  // job is SERIALIZABLE, and this read of the version row makes a concurrent change of the
  // list (which writes that row) either visible here or ordered after this job.
  const db::ResultSet version_rows = co_await tx.query(version_sql_);
  const std::int64_t version = version_rows.empty() ? 0 : version_rows[0].as_int(0);
  std::shared_ptr<const InterestSnapshot> snapshot = snapshot_.load(std::memory_order_acquire);
  if (snapshot->version == version) co_return snapshot;
  auto fresh = std::make_shared<InterestSnapshot>();
  fresh->version = version;
  const db::ResultSet rows = co_await tx.query(interests_sql_);
  for (auto row : rows) {
    Interest interest;
    const boost::json::value collections = boost::json::parse(row.as_text(0));
    for (const boost::json::value& id : collections.as_array()) {
      interest.collection_ids.emplace_back(id.as_string());
    }
    interest.actions = action_bits_of(row.as_text(1));
    fresh->interests.push_back(std::move(interest));
  }
  std::shared_ptr<const InterestSnapshot> made = std::move(fresh);
  // Two writes may race with different versions (on PostgreSQL one may serialize before a
  // change, one after): the loser's store costs the next write a re-read, nothing more, since
  // every write checks the version in its own transaction.
  snapshot_.store(made, std::memory_order_release);
  co_return made;
}

void OutboxWriter::serialize(records::OutboxRow& row) const {
  if (row.record == nullptr) return;
  row.event_id = new_event_id();
  // The destinations are trusted services, but a password hash and the token key are secrets
  // of the record's owner: they never leave. Written member by member (no copy of the record),
  // straight into the row's text, numbers and escapes as the REST API writes them.
  std::string& out = row.record_json;
  out.clear();
  out.push_back('{');
  bool first = true;
  for (const auto& member : *row.record) {
    if (member.key() == "password" || member.key() == "tokenKey") continue;
    if (!first) out.push_back(',');
    first = false;
    schema::append_go_json_string(out, member.key());
    out.push_back(':');
    schema::append_go_json(out, member.value());
  }
  out.push_back('}');
  row.record = nullptr;
}

boost::asio::awaitable<void> OutboxWriter::append(db::Transaction& tx,
                                                  std::span<const records::OutboxRow> rows) {
  if (rows.empty()) co_return;
  const std::shared_ptr<const InterestSnapshot> snapshot = co_await current(tx);
  // Kept rows, serialized here when the caller did not (OutboxPort invariant 2).
  std::vector<const records::OutboxRow*> kept;
  std::size_t unserialized = 0;
  for (const records::OutboxRow& row : rows) {
    if (!snapshot->wants(row.collection_id, action_bit_of(row.action))) continue;
    if (row.record != nullptr) ++unserialized;
    kept.push_back(&row);
  }
  if (kept.empty()) co_return;
  std::vector<records::OutboxRow> serialized_here;
  serialized_here.reserve(unserialized);
  for (const records::OutboxRow*& row : kept) {
    if (row->record == nullptr) continue;
    serialized_here.push_back(*row);
    serialize(serialized_here.back());
    row = &serialized_here.back();  // reserved above: no reallocation moves it
  }
  if (!lock_sql_.empty()) {
    const db::Params key{db::Value(kOutboxOrderLockKey)};
    co_await tx.execute(lock_sql_, key);
  }
  const std::string committed = schema::format_datetime(clock_.now());
  // The trace the write runs in (the job's span, or an unsampled request's), so that the
  // dispatcher's delivery spans join it (docs/observability.md, "Deliveries"). Read here, in
  // the job, where the caller's span is current on both engines.
  const core::TraceContextValues trace = core::outgoing_trace_context();
  for (const records::OutboxRow* row : kept) {
    const db::Params params{db::Value(row->event_id),      db::Value(row->action),
                            db::Value(row->collection_id), db::Value(row->collection_name),
                            db::Value(row->record_json),   db::Value(committed),
                            db::Value(trace.traceparent),  db::Value(trace.tracestate)};
    co_await tx.execute(insert_sql_, params);
  }
  appended_.fetch_add(kept.size(), std::memory_order_relaxed);
}

}  // namespace basalt::events
