// Outbox events for the connector tests: event n of a stream, with an id, sequence and record
// that tell it apart from every other. Test-only.
#pragma once

#include "basalt/events/destination.hpp"

#include <fmt/format.h>

#include <string>

namespace basalt::brokers::testing {

inline events::OutboxEvent numbered_event(int n, std::string collection = "posts",
                                          std::string action = "create") {
  events::OutboxEvent event;
  event.sequence = n;
  event.event_id = fmt::format("evt{:012d}", n);
  event.action = std::move(action);
  event.collection_id = "pbc_" + collection;
  event.collection_name = std::move(collection);
  event.record_json =
      fmt::format(R"({{"id":"rec{:012d}","title":"post \"{}\" ü","n":{}}})", n, n, n);
  event.committed_at = fmt::format("2026-12-06 23:40:{:02d}.{:03d}Z", n % 60, n % 1000);
  return event;
}

}  // namespace basalt::brokers::testing
