#include "basalt/brokers/event_envelope.hpp"

#include "basalt/events/custom_events.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include "basalt/schema/go_json.hpp"

namespace basalt::brokers {

std::string build_event_envelope(const events::OutboxEvent& event) {
  boost::system::error_code ec;
  boost::json::value record = boost::json::parse(event.record_json, ec);
  if (events::is_custom_action(event.action)) {
    // A script's event (events/custom_events.hpp): its type as published, its data as is.
    boost::json::object envelope;
    envelope["id"] = event.event_id;
    envelope["type"] = events::custom_type(event.action);
    envelope["timestamp"] = rfc3339_commit_time(event);
    envelope["sequence"] = event.sequence;
    envelope["data"] = ec ? boost::json::value(nullptr) : std::move(record);
    return schema::serialize_go_json(envelope);
  }
  if (ec || !record.is_object()) record = nullptr;

  boost::json::object collection;
  collection["id"] = event.collection_id;
  collection["name"] = event.collection_name;
  boost::json::object data;
  data["collection"] = std::move(collection);
  data["record"] = std::move(record);

  boost::json::object envelope;
  envelope["id"] = event.event_id;
  envelope["type"] = "record." + event.action;
  envelope["timestamp"] = rfc3339_commit_time(event);
  envelope["sequence"] = event.sequence;
  envelope["data"] = std::move(data);
  // Numbers as the REST API writes them (3, not boost's 3E0): a consumer that decodes a
  // number field into an integer (Go, serde) rejects an exponent.
  return schema::serialize_go_json(envelope);
}

std::string rfc3339_commit_time(const events::OutboxEvent& event) {
  // The stored date format's space becomes "T".
  std::string timestamp = event.committed_at;
  if (timestamp.size() > 10 && timestamp[10] == ' ') timestamp[10] = 'T';
  return timestamp;
}

}  // namespace basalt::brokers
