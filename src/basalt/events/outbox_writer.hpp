// OutboxWriter: the events module's side of records::OutboxPort (docs/events.md, "Which
// changes are written"). Turns an event into its row and inserts, inside the write job, the
// rows some enabled destination could want (collections x actions).
//
// Invariants:
//   1. Which rows are kept is decided inside the write's transaction, never from a snapshot
//      alone: append() reads `_destinationsVersion` (a change of `_destinations` writes a new
//      random one in its own transaction) and, when it differs from its snapshot's, re-reads
//      the destinations in the same transaction. SQLite runs write jobs one at a time, and
//      PostgreSQL write jobs are SERIALIZABLE: either the change is visible to the write, or
//      the write is serialized before the change (a write that begins after the change
//      committed always sees it, on every instance: there is no poll window).
//   2. Kept rows are inserted under the commit-order lock (Dialect::commit_order_lock), so
//      `seq` follows commit order on both engines.
//   3. wants() is the snapshot's answer, a hint only (OutboxPort invariant 2): a change it
//      says no to reaches append() unserialized, and is serialized there only if the
//      transaction's list wants it (a destination created since the snapshot was read). So a
//      write nobody wants costs the version read and no serialization.
//   4. Each row carries the W3C context of the span current in the job (traceparent and
//      tracestate; both empty outside any trace), so its deliveries continue that trace.
//   5. The snapshot is immutable and swapped whole (std::atomic<std::shared_ptr>).
// Thread ownership: any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "basalt/core/clock.hpp"
#include "basalt/db/dialect.hpp"
#include "basalt/records/outbox_port.hpp"

namespace basalt::events {

// What one enabled destination wants: collection ids (empty: all) and an action bit mask
// (1 create, 2 update, 4 delete).
struct Interest {
  std::vector<std::string> collection_ids;
  std::uint8_t actions = 7;
};

std::uint8_t action_bit(records::RecordAction action) noexcept;

// The advisory lock key of the outbox's commit order on PostgreSQL ("basalt" + 0x0100).
inline constexpr std::int64_t kOutboxOrderLockKey = 0x62617361'6c740100;
// What every enabled destination wants, as of one `_destinationsVersion`.
struct InterestSnapshot {
  std::int64_t version = 0;  // 0: never read (a stored version is never 0)
  std::vector<Interest> interests;
  bool wants(std::string_view collection_id, std::uint8_t action_bits) const noexcept;
};

// Inside a change of `_destinations` (its write job): writes a new random version, so every
// write serialized after the change re-reads the list.
boost::asio::awaitable<void> begin_destinations_change(db::Transaction& tx,
                                                       const db::Dialect& dialect);

class OutboxWriter : public records::OutboxPort {
 public:
  OutboxWriter(const db::Dialect& dialect, const core::Clock& clock);

  bool wants(std::string_view collection_id, records::RecordAction action) const noexcept override;
  void serialize(records::OutboxRow& row) const override;
  boost::asio::awaitable<void> append(db::Transaction& tx,
                                      std::span<const records::OutboxRow> rows) override;

  // Whether the newest snapshot this process read wants the event: for waking the dispatcher
  // after a local commit (never for choosing rows).
  bool interested(std::string_view collection_id, records::RecordAction action) const noexcept;

  // Rows appended by this process's jobs (committed or not; for tests and metrics).
  std::uint64_t appended() const noexcept { return appended_.load(std::memory_order_relaxed); }

 private:
  boost::asio::awaitable<std::shared_ptr<const InterestSnapshot>> current(db::Transaction& tx);

  const db::Dialect& dialect_;
  const core::Clock& clock_;
  std::string insert_sql_;
  std::string lock_sql_;
  std::string version_sql_;
  std::string interests_sql_;
  std::atomic<std::shared_ptr<const InterestSnapshot>> snapshot_;
  std::atomic<std::uint64_t> appended_{0};
};

// A new event id: "evt_" + 32 hex digits of random bytes.
std::string new_event_id();

}  // namespace basalt::events
