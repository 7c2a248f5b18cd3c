// The one entry point the outbox's destination factory calls for message brokers
// (docs/brokers.md): a destination type ("rabbitmq", "nats", "redis") and its configuration
// object. A Kafka connector (librdkafka) would add a type here and nothing else.
#pragma once

#include "basalt/brokers/config_fields.hpp"
#include "basalt/events/destination.hpp"

#include <boost/json/fwd.hpp>

#include <memory>
#include <string_view>

namespace basalt::brokers {

// True for the types this module builds.
bool is_broker_type(std::string_view type);

// Field → message for an invalid configuration (an unknown type is reported on "type"); empty
// when valid.
ConfigErrors validate_broker_config(std::string_view type, const boost::json::object& config);

// nullptr when validate_broker_config would report errors. `allow_private`: the broker may be
// on a loopback, private or other internal address (brokers-allow-private).
std::unique_ptr<events::Destination> make_broker_destination(std::string_view type,
                                                             const boost::json::object& config,
                                                             bool allow_private);

}  // namespace basalt::brokers
