// The JSON body every broker message carries (docs/brokers.md, "The envelope"):
//   {"id": <event id>, "type": "record.<action>", "timestamp": <commit time, RFC 3339>,
//    "sequence": <n>, "data": {"collection": {"id", "name"}, "record": {...}}}
// The webhook destinations send the same envelope, so a consumer can read both.
#pragma once

#include "basalt/events/destination.hpp"

#include <string>

namespace basalt::brokers {

// The serialized envelope. A record_json that is not a JSON object (never produced by the
// outbox) is sent as null rather than failing the delivery forever.
std::string build_event_envelope(const events::OutboxEvent& event);

// The commit time in RFC 3339 ("2026-12-06T23:40:00.123Z"), as the envelope and the Redis
// entry's `timestamp` field carry it.
std::string rfc3339_commit_time(const events::OutboxEvent& event);

}  // namespace basalt::brokers
