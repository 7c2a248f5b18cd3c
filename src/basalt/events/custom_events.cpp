#include "basalt/events/custom_events.hpp"

#include "basalt/events/outbox_writer.hpp"

namespace basalt::events {

records::OutboxRow custom_event_row(std::string_view type, std::string data_json) {
  records::OutboxRow row;
  row.event_id = new_event_id();
  row.action = std::string(kCustomActionPrefix) + std::string(type);
  row.record_json = std::move(data_json);
  return row;
}

}  // namespace basalt::events
