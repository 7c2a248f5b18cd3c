// Names built from an event (docs/brokers.md, "Names"): RabbitMQ routing keys, Redis stream
// keys. A template is text with placeholders {collection} (the collection name),
// {collectionId} and {action} ("create", "update", "delete"); "{{" and "}}" are literal braces.
#pragma once

#include "basalt/events/destination.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace basalt::brokers {

// nullopt when `tpl` is well formed, else a message for the template's field.
std::optional<std::string> check_event_template(std::string_view tpl);

// `tpl` must have passed check_event_template.
std::string expand_event_template(std::string_view tpl, const events::OutboxEvent& event);

}  // namespace basalt::brokers
