// bench_realtime: the load generator of bench/realtime.sh. Opens --clients SSE streams to
// GET /api/realtime at --ramp streams per second over --threads io_context threads, subscribes
// each to `<collection>/*`, then writes --rate creates per second for --duration seconds and
// measures, per received record message, the time from the create's send to the message's
// receipt. Text and a JSON line (`RESULT {...}`) on stdout; progress on stderr.
//
// Lines on stdout the script waits for:
//   READY subscribed=N clients=N   every client subscribed (or --ready-timeout passed)
//   WRITING                        the writer starts (after a line on stdin with --wait-stdin)
//   WRITES_DONE created=N          every create was answered
// then the report.

#include <sys/resource.h>

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "load_thread.hpp"
#include "options.hpp"
#include "progress.hpp"
#include "report.hpp"
#include "writer.hpp"

namespace {

using namespace rtbench;
using Clock = std::chrono::steady_clock;

std::uint64_t own_rss_anon_kib() {
  std::ifstream status("/proc/self/status");
  std::string key;
  std::uint64_t value = 0;
  while (status >> key) {
    if (key == "RssAnon:") {
      status >> value;
      return value;
    }
    status.ignore(1 << 12, '\n');
  }
  return 0;
}

// This process's CPU time so far (user + system), seconds: the generator shares the machine
// with the server, so how busy it was is part of reading the latency.
double own_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds_of = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds_of(usage.ru_utime) + seconds_of(usage.ru_stime);
}

std::chrono::steady_clock::duration seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

}  // namespace

int main(int argc, char** argv) {
  Options options = parse_options(argc, argv);
  boost::system::error_code error;
  auto address = boost::asio::ip::make_address(options.host, error);
  if (error) {
    std::fprintf(stderr, "bench_realtime: --host must be a numeric address, got %s\n",
                 options.host.c_str());
    return 2;
  }
  boost::asio::ip::tcp::endpoint endpoint(address, options.port);

  // Before the clients exist, so the difference at READY is what they hold.
  std::uint64_t rss_anon_before_kib = own_rss_anon_kib();
  Progress progress;
  std::vector<std::unique_ptr<LoadThread>> threads;
  for (std::uint32_t t = 0; t < options.threads; ++t) {
    std::uint32_t share =
        options.clients / options.threads + (t < options.clients % options.threads);
    threads.push_back(std::make_unique<LoadThread>(options, endpoint, progress, share,
                                                   options.ramp_per_second / options.threads));
  }
  auto started = Clock::now();
  for (auto& thread : threads) thread->start();

  Report report;
  report.clients = options.clients;
  progress.wait(
      seconds(options.ready_timeout_seconds),
      [&] { return progress.subscribed() >= options.clients; },
      [&] {
        std::fprintf(stderr, "bench_realtime: %u of %u subscribed\n", progress.subscribed(),
                     options.clients);
      });
  report.subscribed = progress.subscribed();
  report.ramp_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  report.generator_rss_anon_kib = own_rss_anon_kib() - rss_anon_before_kib;
  std::printf("READY subscribed=%u clients=%u\n", report.subscribed, options.clients);
  std::fflush(stdout);

  if (options.wait_stdin) {
    std::string line;
    std::getline(std::cin, line);
  }
  std::printf("WRITING\n");
  std::fflush(stdout);
  double cpu_before_writes = own_cpu_seconds();
  Writer writer(options, endpoint);
  report.writer = writer.run();
  report.generator_cpu_writing_s = own_cpu_seconds() - cpu_before_writes;
  report.event_target = static_cast<std::uint32_t>(report.writer.created);
  std::printf("WRITES_DONE created=%lu\n", report.writer.created);
  std::fflush(stdout);

  auto writes_done = Clock::now();
  for (auto& thread : threads) thread->set_event_target(report.event_target);
  std::uint32_t subscribed = progress.subscribed();
  progress.wait(
      seconds(options.settle_seconds), [&] { return progress.complete() >= subscribed; }, [] {});
  report.settle_seconds = std::chrono::duration<double>(Clock::now() - writes_done).count();
  report.complete = progress.complete();

  report.events_min = UINT32_MAX;
  for (auto& thread : threads) {
    thread->stop();
    report.clients_stats.add(thread->stats_after_stop());
    for (const auto& client : thread->clients()) {
      if (!client->ever_subscribed()) continue;
      report.events_min = std::min(report.events_min, client->events());
      report.events_max = std::max(report.events_max, client->events());
      if (client->events() < report.event_target) {
        report.events_missing += report.event_target - client->events();
      }
    }
  }
  if (report.events_min == UINT32_MAX) report.events_min = 0;
  print_report(report);
  return 0;
}
