#include "basalt/records/outbox_port.hpp"

#include <vector>

namespace basalt::records {

OutboxRow unserialized_row(RecordAction action, std::string_view collection_id,
                           std::string_view collection_name, const boost::json::object& record) {
  OutboxRow row;
  row.action = std::string(record_action_name(action));
  row.collection_id = std::string(collection_id);
  row.collection_name = std::string(collection_name);
  row.record = &record;
  return row;
}

OutboxRow OutboxPort::prepare(const RecordEvent& event) const {
  OutboxRow row =
      unserialized_row(event.action, event.collection_id, event.collection_name, event.record);
  serialize(row);
  return row;
}

OutboxRow OutboxPort::row_before_job(RecordAction action, std::string_view collection_id,
                                     std::string_view collection_name,
                                     const boost::json::object& record) const {
  OutboxRow row = unserialized_row(action, collection_id, collection_name, record);
  if (wants(collection_id, action)) serialize(row);
  return row;
}

boost::asio::awaitable<void> append_to_outbox(OutboxPort* outbox, db::Transaction& tx,
                                              std::span<const RecordEvent> events) {
  if (outbox == nullptr || events.empty()) co_return;
  std::vector<OutboxRow> rows;
  rows.reserve(events.size());
  for (const RecordEvent& event : events) {
    rows.push_back(
        unserialized_row(event.action, event.collection_id, event.collection_name, event.record));
  }
  const std::span<const OutboxRow> changed(rows);
  co_await outbox->append(tx, changed);
}

}  // namespace basalt::records
