// Configuration of a NATS JetStream destination (docs/brokers.md, "NATS JetStream"):
//   {"url": "nats://user:pass@host:4222", "subjectPrefix": "basalt", "stream": "BASALT",
//    "createStream": true, "connectTimeoutMs": 5000, "timeoutMs": 10000, "maxInFlight": 64}
// The subject of an event is <subjectPrefix>.<collection>.<action>.
#pragma once

#include "basalt/brokers/broker_url.hpp"
#include "basalt/brokers/config_fields.hpp"

#include <boost/json/fwd.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace basalt::brokers {

struct NatsConfig {
  BrokerUrl url;  // nats://; a user with a password → user/password, a user alone → token
  std::string subject_prefix = "basalt";
  std::string stream = "BASALT";
  bool create_stream = true;  // create `stream` (subjects "<prefix>.>", file storage) if absent
  std::chrono::milliseconds connect_timeout{kDefaultConnectTimeoutMs};
  std::chrono::milliseconds timeout{kDefaultTimeoutMs};  // publish → JetStream ack
  // Events published before their acknowledgements are awaited (config_fields.hpp).
  std::size_t max_in_flight = kDefaultMaxInFlight;
  // Loopback, private and other internal addresses allowed (brokers-allow-private; set by the
  // factory from the server's settings, never from the JSON).
  bool allow_private = false;
};

ConfigErrors validate_nats_config(const boost::json::object& object);
std::optional<NatsConfig> parse_nats_config(const boost::json::object& object,
                                            ConfigErrors& errors);

// True when `token` can be one token of a NATS subject: non-empty, no '.', no wildcard
// ('*', '>'), no whitespace or control character.
bool is_nats_subject_token(std::string_view token);

}  // namespace basalt::brokers
