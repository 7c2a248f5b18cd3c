// OutboxPort: how the record service hands committed-to-be changes to the transactional outbox
// (docs/events.md) without knowing its tables. The events module implements it; the service
// calls it from inside every write job that changes records, so the outbox rows commit or roll
// back with the change itself.
//
// Invariants:
//   1. append() runs inside the write job, after the job's record statements, with the job's
//      events in the order they happened; a job that fails after it leaves no row (the
//      transaction, or the job's savepoint, is undone). append() alone decides which rows are
//      kept, in the job's transaction.
//   2. wants() is cheap and lock-free: this instance's newest snapshot of what the enabled
//      destinations want. It is a hint, never the decision: true, the caller serializes the
//      row before the job (off the writer); false, it hands append() an unserialized row, which
//      append() serializes only if the transaction finds a destination wanting it after all (a
//      destination created a moment ago). A change nobody wants is never serialized.
//   3. A row's serialization depends only on the event: a create's row may be made before its
//      job, so the writer only binds it.
// Thread ownership: any thread; the implementation's snapshot is swapped atomically.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <span>
#include <string>
#include <string_view>

#include "basalt/db/transaction.hpp"
#include "basalt/records/event_bus.hpp"

namespace basalt::records {

// One outbox row, ready to insert: the record serialized, secrets dropped. Or, when `record` is
// set, not serialized yet (event_id and record_json empty): append() serializes `record` if the
// row is kept. `record` must stay alive and unchanged until append() returns.
struct OutboxRow {
  std::string event_id;
  std::string action;
  std::string collection_id;
  std::string collection_name;
  std::string record_json;
  const boost::json::object* record = nullptr;
};

// A row of the change that append() serializes only if it keeps it (invariant 2).
OutboxRow unserialized_row(RecordAction action, std::string_view collection_id,
                           std::string_view collection_name, const boost::json::object& record);

class OutboxPort {
 public:
  virtual ~OutboxPort() = default;
  virtual bool wants(std::string_view collection_id, RecordAction action) const noexcept = 0;
  // Serializes an unserialized row in place (event id, record JSON without secrets); a
  // serialized row is left as it is.
  virtual void serialize(OutboxRow& row) const = 0;
  virtual boost::asio::awaitable<void> append(db::Transaction& tx,
                                              std::span<const OutboxRow> rows) = 0;

  // A serialized row of `event` (tests, custom callers).
  OutboxRow prepare(const RecordEvent& event) const;
  // The row of a change made before its job: serialized now when wants() says some destination
  // wants it, else unserialized (pointing at `record`).
  OutboxRow row_before_job(RecordAction action, std::string_view collection_id,
                           std::string_view collection_name,
                           const boost::json::object& record) const;
};

// The rows of `events` appended in `tx` (nothing when `outbox` is null or `events` empty);
// append() serializes only those it keeps. For jobs whose events are known only inside the job.
boost::asio::awaitable<void> append_to_outbox(OutboxPort* outbox, db::Transaction& tx,
                                              std::span<const RecordEvent> events);

}  // namespace basalt::records
