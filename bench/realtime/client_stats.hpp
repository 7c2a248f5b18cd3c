// What one client thread counts; summed over threads for the report. Written only by the
// thread's own io_context, read after it stopped.
#pragma once

#include <cstdint>

#include "fan_out_spans.hpp"
#include "latency_histogram.hpp"

namespace rtbench {

struct ClientStats {
  std::uint64_t connect_failures = 0;    // TCP connect refused or failed
  std::uint64_t status_failures = 0;     // GET /api/realtime answered other than 200
  std::uint64_t framing_failures = 0;    // a head, chunk or SSE line we could not read
  std::uint64_t subscribe_failures = 0;  // POST /api/realtime answered other than 204
  std::uint64_t subscribe_errors = 0;    // a POST connection failed mid-request
  std::uint64_t drops = 0;               // a subscribed stream ended (server closed it)
  std::uint64_t reconnects = 0;          // streams opened again after a failure or drop
  std::uint64_t events = 0;              // record messages carrying sent_us
  LatencyHistogram latency;              // event receipt - sent_us
  LatencyHistogram created_latency;      // event receipt - the record's `created` (server)
  FanOutSpans fan_out;                   // per create: first and last receipt

  void add(const ClientStats& other) {
    connect_failures += other.connect_failures;
    status_failures += other.status_failures;
    framing_failures += other.framing_failures;
    subscribe_failures += other.subscribe_failures;
    subscribe_errors += other.subscribe_errors;
    drops += other.drops;
    reconnects += other.reconnects;
    events += other.events;
    latency.merge(other.latency);
    created_latency.merge(other.created_latency);
    fan_out.merge(other.fan_out);
  }
};

}  // namespace rtbench
