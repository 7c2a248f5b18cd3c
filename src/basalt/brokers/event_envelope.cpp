#include "basalt/brokers/event_envelope.hpp"

#include "basalt/events/custom_events.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include "basalt/schema/go_json.hpp"

namespace basalt::brokers {

std::string build_event_envelope(const events::OutboxEvent& event) {
  // Written member by member in the envelope's order, the record re-serialized from its parse
  // (so numbers come out as the REST API writes them, whatever wrote the row): building the
  // envelope as a boost::json object and serializing that cost about three times as many
  // instructions, most of them copying and freeing the objects.
  unsigned char scratch[4096];
  boost::json::monotonic_resource memory(scratch, sizeof scratch);
  boost::system::error_code ec;
  const boost::json::value record = boost::json::parse(event.record_json, ec, &memory);
  const bool custom = events::is_custom_action(event.action);

  std::string out;
  out.reserve(event.record_json.size() + event.collection_name.size() + 256);
  out += "{\"id\":";
  schema::append_go_json_string(out, event.event_id);
  out += ",\"type\":";
  // A script's event (events/custom_events.hpp): its type as published, its data as is.
  schema::append_go_json_string(
      out, custom ? std::string(events::custom_type(event.action)) : "record." + event.action);
  out += ",\"timestamp\":";
  schema::append_go_json_string(out, rfc3339_commit_time(event));
  out += ",\"sequence\":";
  out += std::to_string(event.sequence);
  out += ",\"data\":";
  if (custom) {
    if (ec) {
      out += "null";
    } else {
      schema::append_go_json(out, record);
    }
    out += '}';
    return out;
  }
  out += "{\"collection\":{\"id\":";
  schema::append_go_json_string(out, event.collection_id);
  out += ",\"name\":";
  schema::append_go_json_string(out, event.collection_name);
  out += "},\"record\":";
  if (ec || !record.is_object()) {
    out += "null";
  } else {
    schema::append_go_json(out, record);
  }
  out += "}}";
  return out;
}

std::string rfc3339_commit_time(const events::OutboxEvent& event) {
  // The stored date format's space becomes "T".
  std::string timestamp = event.committed_at;
  if (timestamp.size() > 10 && timestamp[10] == ' ') timestamp[10] = 'T';
  return timestamp;
}

}  // namespace basalt::brokers
