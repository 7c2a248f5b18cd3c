// OutboxWriter: the events module's side of records::OutboxPort (docs/events.md, "The
// outbox"). Keeps the snapshot of what the enabled destinations want (collections x actions),
// turns an event into its row and inserts rows inside the write job.
//
// Invariants:
//   1. append() runs in the job's transaction; on PostgreSQL it first takes the commit-order
//      lock (Dialect::commit_order_lock), so `seq` follows commit order on both engines.
//   2. Each row carries the W3C context of the span current in the job (traceparent and
//      tracestate; both empty outside any trace), so its deliveries continue that trace.
//   3. wants() reads an immutable snapshot swapped whole by set_interests(); it never blocks
//      a writer for long (std::atomic<std::shared_ptr>).
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

class OutboxWriter : public records::OutboxPort {
 public:
  OutboxWriter(const db::Dialect& dialect, const core::Clock& clock);

  bool wants(std::string_view collection_id, records::RecordAction action) const noexcept override;
  records::OutboxRow prepare(const records::RecordEvent& event) const override;
  boost::asio::awaitable<void> append(db::Transaction& tx,
                                      std::span<const records::OutboxRow> rows) override;

  void set_interests(std::vector<Interest> interests);

  // Rows appended by this process's jobs (committed or not; for tests and metrics).
  std::uint64_t appended() const noexcept { return appended_.load(std::memory_order_relaxed); }

 private:
  const db::Dialect& dialect_;
  const core::Clock& clock_;
  std::string insert_sql_;
  std::string lock_sql_;
  std::atomic<std::shared_ptr<const std::vector<Interest>>> interests_;
  std::atomic<std::uint64_t> appended_{0};
};

// A new event id: "evt_" + 32 hex digits of random bytes.
std::string new_event_id();

}  // namespace basalt::events
