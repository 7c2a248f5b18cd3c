#include "report.hpp"

#include <cstdio>

namespace rtbench {

namespace {
double ms(std::uint64_t us) {
  return static_cast<double>(us) / 1000.0;
}
}  // namespace

void print_report(const Report& r) {
  const ClientStats& c = r.clients_stats;
  const WriterStats& w = r.writer;
  const LatencyHistogram& l = c.latency;
  std::printf(
      "clients      %u subscribed of %u (ramp %.1f s; generator +%.2f KiB RssAnon/client)\n",
      r.subscribed, r.clients, r.ramp_seconds,
      r.clients ? static_cast<double>(r.generator_rss_anon_kib) / r.clients : 0.0);
  std::printf(
      "failures     connect %lu, status %lu, framing %lu, subscribe %lu (%lu connection "
      "errors); drops %lu, reconnects %lu\n",
      c.connect_failures, c.status_failures, c.framing_failures, c.subscribe_failures,
      c.subscribe_errors, c.drops, c.reconnects);
  std::printf(
      "writer       %lu sent in %.1f s (%.1f/s): %lu created, %lu refused, %lu errors, %lu "
      "skipped; %u connections; create p50 %.2f ms p99 %.2f ms max %.2f ms; generator CPU %.2f s\n",
      w.sent, w.seconds, w.seconds > 0 ? static_cast<double>(w.sent) / w.seconds : 0.0, w.created,
      w.refused, w.errors, w.skipped, w.connections, ms(w.round_trip.percentile(0.5)),
      ms(w.round_trip.percentile(0.99)), ms(w.round_trip.max()), r.generator_cpu_writing_s);
  std::printf(
      "events       %lu received; per client min %u max %u of %u; %u clients complete; "
      "%lu missing; settled %.2f s after the last create\n",
      c.events, r.events_min, r.events_max, r.event_target, r.complete, r.events_missing,
      r.settle_seconds);
  std::printf("latency      p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms (send to receipt)\n",
              ms(l.percentile(0.5)), ms(l.percentile(0.9)), ms(l.percentile(0.99)), ms(l.max()));
  const LatencyHistogram& k = c.created_latency;
  std::printf(
      "latency      p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms (created to receipt: the "
      "commit follows the server's `created` stamp; %lu messages carried one)\n",
      ms(k.percentile(0.5)), ms(k.percentile(0.9)), ms(k.percentile(0.99)), ms(k.max()), k.count());
  LatencyHistogram to_first;
  LatencyHistogram fan_out;
  c.fan_out.summarize(to_first, fan_out);
  std::printf(
      "per create   send to first receipt p50 %.2f ms p99 %.2f ms; first to last receipt "
      "(fan-out) p50 %.2f ms p99 %.2f ms max %.2f ms\n",
      ms(to_first.percentile(0.5)), ms(to_first.percentile(0.99)), ms(fan_out.percentile(0.5)),
      ms(fan_out.percentile(0.99)), ms(fan_out.max()));
  std::printf(
      "RESULT {\"clients\":%u,\"subscribed\":%u,\"ramp_s\":%.3f,\"generator_rss_anon_kib\":%lu,"
      "\"connect_failures\":%lu,\"status_failures\":%lu,\"framing_failures\":%lu,"
      "\"subscribe_failures\":%lu,\"subscribe_errors\":%lu,\"drops\":%lu,\"reconnects\":%lu,"
      "\"writes_sent\":%lu,\"writes_created\":%lu,\"writes_refused\":%lu,\"writes_errors\":%lu,"
      "\"writes_skipped\":%lu,\"write_seconds\":%.3f,\"create_p50_ms\":%.3f,\"create_p99_ms\":%.3f,"
      "\"events\":%lu,\"event_target\":%u,\"events_min\":%u,\"events_max\":%u,\"complete\":%u,"
      "\"events_missing\":%lu,\"settle_s\":%.3f,\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,"
      "\"max_ms\":%.3f,\"generator_cpu_writing_s\":%.3f,\"first_p50_ms\":%.3f,"
      "\"first_p99_ms\":%.3f,\"fan_out_p50_ms\":%.3f,\"fan_out_p99_ms\":%.3f,"
      "\"created_p50_ms\":%.3f,\"created_p90_ms\":%.3f,\"created_p99_ms\":%.3f,"
      "\"created_max_ms\":%.3f,\"created_count\":%lu}\n",
      r.clients, r.subscribed, r.ramp_seconds, r.generator_rss_anon_kib, c.connect_failures,
      c.status_failures, c.framing_failures, c.subscribe_failures, c.subscribe_errors, c.drops,
      c.reconnects, w.sent, w.created, w.refused, w.errors, w.skipped, w.seconds,
      ms(w.round_trip.percentile(0.5)), ms(w.round_trip.percentile(0.99)), c.events, r.event_target,
      r.events_min, r.events_max, r.complete, r.events_missing, r.settle_seconds,
      ms(l.percentile(0.5)), ms(l.percentile(0.9)), ms(l.percentile(0.99)), ms(l.max()),
      r.generator_cpu_writing_s, ms(to_first.percentile(0.5)), ms(to_first.percentile(0.99)),
      ms(fan_out.percentile(0.5)), ms(fan_out.percentile(0.99)), ms(k.percentile(0.5)),
      ms(k.percentile(0.9)), ms(k.percentile(0.99)), ms(k.max()), k.count());
  std::fflush(stdout);
}

}  // namespace rtbench
