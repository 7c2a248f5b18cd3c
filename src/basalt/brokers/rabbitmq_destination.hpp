// A RabbitMQ destination (docs/brokers.md, "RabbitMQ"): each event is published persistent to
// the configured exchange with a routing key from the event, and counts as delivered only
// when the broker's publisher confirm (basic.ack) arrives.
#pragma once

#include "basalt/brokers/rabbitmq_config.hpp"
#include "basalt/events/destination.hpp"

#include <memory>

namespace basalt::brokers {

std::unique_ptr<events::Destination> make_rabbitmq_destination(RabbitMqConfig config);

}  // namespace basalt::brokers
