// SpanExporter: sends finished spans to the OTLP/HTTP endpoint (JSON encoding) from a thread of
// its own (docs/observability.md, "Traces").
//
// Invariants:
//   1. submit() never waits for the network: it appends to a bounded queue under a mutex held
//      for a push_back; past Options::max_queued spans the span is dropped and counted.
//   2. The thread POSTs whenever max_batch spans wait or flush_interval passed, every waiting
//      span in batches of at most max_batch, one request at a time, each bounded by
//      Options::timeout. A batch the endpoint refuses (non-2xx) or that cannot be sent is
//      dropped and counted (OTLP's retries are left to a collector in front); drops of either
//      kind are reported in the process log at most once a minute. One libcurl handle serves
//      every export, so the connection to the endpoint is kept open.
//   3. stop() sends what is queued (each batch still bounded by the timeout), then ends the
//      thread; spans submitted later are dropped.
// Thread safety: submit(), dropped() and exported() from any thread; the rest from the owner's.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "basalt/core/batching_queue.hpp"

#include "basalt/trace/span.hpp"
#include "basalt/trace/trace_options.hpp"

namespace basalt::trace {

class SpanExporter final : public core::SpanRecorder {
 public:
  struct Options {
    std::size_t max_queued = 4096;
    std::size_t max_batch = 512;
    std::chrono::milliseconds flush_interval{1000};
    std::chrono::milliseconds timeout{10'000};
  };
  // Sends one request body; true when the endpoint accepted it (2xx). Tests replace it.
  using Transport = std::function<bool(const std::string& body)>;

  // POSTs to `trace.endpoint` with libcurl.
  SpanExporter(const TraceOptions& trace, Options options);
  SpanExporter(const TraceOptions& trace, Options options, Transport transport);
  ~SpanExporter() override;
  SpanExporter(const SpanExporter&) = delete;
  SpanExporter& operator=(const SpanExporter&) = delete;

  void submit(Span span) noexcept;
  // core::SpanRecorder: the child spans of core::SpanScope, same as submit().
  void record(Span span) noexcept override { submit(std::move(span)); }
  // Sends every span submitted so far before returning (tests).
  void flush();
  void stop();

  std::uint64_t dropped() const;   // spans lost: queue full, or their batch not accepted
  std::uint64_t exported() const;  // spans the endpoint accepted

 private:
  // The queue's consumer, on its thread.
  void send(std::vector<Span>& spans);
  // Logs the drops so far, at most once a minute (the exporter's thread).
  void report_drops();

  std::string service_name_;
  Options options_;
  Transport transport_;
  std::atomic<std::uint64_t> exported_{0};
  // The exporter's thread only.
  std::uint64_t reported_drops_ = 0;
  std::chrono::steady_clock::time_point last_drop_report_{};
  core::BatchingQueue<Span> queue_;  // last: its thread stops before the members above go
};

// The libcurl transport: POST `body` as application/json with `headers` to `endpoint`.
SpanExporter::Transport curl_transport(std::string endpoint,
                                       std::vector<std::pair<std::string, std::string>> headers,
                                       std::chrono::milliseconds timeout);

}  // namespace basalt::trace
