// OutboxPort: how the record service hands committed-to-be changes to the transactional outbox
// (docs/events.md) without knowing its tables. The events module implements it; the service
// calls it from inside every write job that changes records, so the outbox rows commit or roll
// back with the change itself.
//
// Invariants:
//   1. append() runs inside the write job, after the job's record statements, with the job's
//      events in the order they happened; a job that fails after it leaves no row (the
//      transaction, or the job's savepoint, is undone).
//   2. wants() is cheap and lock-free: a snapshot of the enabled destinations' collections and
//      actions. An event no destination could want is never written (the outbox then costs a
//      create nothing).
//   3. prepare() depends only on the event: callers make a create's row before its job, so the
//      writer only binds it.
// Thread ownership: any thread; the implementation's snapshot is swapped atomically.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <span>
#include <string>
#include <string_view>

#include "basalt/db/transaction.hpp"
#include "basalt/records/event_bus.hpp"

namespace basalt::records {

// One outbox row, ready to insert: the record serialized, secrets dropped.
struct OutboxRow {
  std::string event_id;
  std::string action;
  std::string collection_id;
  std::string collection_name;
  std::string record_json;
};

class OutboxPort {
 public:
  virtual ~OutboxPort() = default;
  virtual bool wants(std::string_view collection_id, RecordAction action) const noexcept = 0;
  virtual OutboxRow prepare(const RecordEvent& event) const = 0;
  virtual boost::asio::awaitable<void> append(db::Transaction& tx,
                                              std::span<const OutboxRow> rows) = 0;
};

// The rows of the events `outbox` wants, appended in `tx` (nothing when `outbox` is null or
// wants none of them). For jobs whose events are known only inside the job.
boost::asio::awaitable<void> append_to_outbox(OutboxPort* outbox, db::Transaction& tx,
                                              std::span<const RecordEvent> events);

}  // namespace basalt::records
