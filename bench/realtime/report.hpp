// The final report: a few lines of text and one JSON line (`RESULT {...}`) that
// bench/realtime.sh reads. Both on stdout.
#pragma once

#include <cstdint>

#include "client_stats.hpp"
#include "writer.hpp"

namespace rtbench {

struct Report {
  std::uint32_t clients = 0;                 // asked for
  std::uint32_t subscribed = 0;              // subscribed at least once
  double ramp_seconds = 0;                   // start to the last first subscription
  std::uint64_t generator_rss_anon_kib = 0;  // this process's RssAnon growth, start to READY
  std::uint32_t event_target = 0;  // creates answered 200: what each client should receive
  std::uint32_t complete = 0;      // clients that received them all
  std::uint32_t events_min = 0;    // record messages per subscribed client
  std::uint32_t events_max = 0;
  std::uint64_t events_missing = 0;    // sum over subscribed clients of target - received (> 0)
  double generator_cpu_writing_s = 0;  // this process's CPU time over the writes
  double settle_seconds = 0;           // from the last create's answer until all complete
  ClientStats clients_stats;
  WriterStats writer;
};

void print_report(const Report& report);

}  // namespace rtbench
