// Outbox events for the connector tests: event n of a stream, with an id, sequence and record
// that tell it apart from every other. Test-only.
#pragma once

#include "basalt/core/span_scope.hpp"
#include "basalt/events/destination.hpp"

#include <fmt/format.h>

#include <optional>
#include <string>
#include <vector>

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

// What Destination::deliver_many() takes.
inline std::vector<const events::OutboxEvent*> pointers_of(
    const std::vector<events::OutboxEvent>& events) {
  std::vector<const events::OutboxEvent*> pointers;
  for (const auto& event : events) pointers.push_back(&event);
  return pointers;
}

// One deliver_many() call over `events` in which each message is built under a trace context
// of its own (a fresh, unsampled span cell installed at its BeforeSend): the results, and the
// `traceparent` each message was built with, by index.
struct TracedPipeline {
  std::vector<events::DeliveryResult> results;
  std::vector<std::string> traceparents;
};
inline TracedPipeline deliver_traced_pipeline(events::Destination& destination,
                                              const std::vector<events::OutboxEvent>& events) {
  TracedPipeline out;
  std::vector<core::SpanCell> cells(events.size());
  std::optional<core::CellInstall> install;
  out.traceparents.resize(events.size());
  out.results = destination.deliver_many(pointers_of(events), [&](std::size_t index) {
    install.reset();
    cells[index].current = {core::random_trace_id(), core::random_span_id(), nullptr};
    install.emplace(&cells[index]);
    out.traceparents[index] = core::outgoing_trace_context().traceparent;
  });
  return out;
}

}  // namespace basalt::brokers::testing
