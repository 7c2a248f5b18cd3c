#include "basalt/records/outbox_port.hpp"

#include <vector>

namespace basalt::records {

boost::asio::awaitable<void> append_to_outbox(OutboxPort* outbox, db::Transaction& tx,
                                              std::span<const RecordEvent> events) {
  if (outbox == nullptr) co_return;
  std::vector<OutboxRow> rows;
  for (const RecordEvent& event : events) {
    if (outbox->wants(event.collection_id, event.action)) rows.push_back(outbox->prepare(event));
  }
  if (rows.empty()) co_return;
  const std::span<const OutboxRow> wanted(rows);
  co_await outbox->append(tx, wanted);
}

}  // namespace basalt::records
