// A NATS JetStream destination (docs/brokers.md, "NATS JetStream"): each event is published to
// <prefix>.<collection>.<action> with the event id as Nats-Msg-Id, and counts as delivered only
// when JetStream acknowledges that a stream stored it (or recognised it as a duplicate).
#pragma once

#include "basalt/brokers/nats_config.hpp"
#include "basalt/events/destination.hpp"

#include <memory>

namespace basalt::brokers {

std::unique_ptr<events::Destination> make_nats_destination(NatsConfig config);

}  // namespace basalt::brokers
