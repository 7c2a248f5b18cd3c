#include "basalt/trace/span_exporter.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>

#include "basalt/trace/otlp_json.hpp"

namespace basalt::trace {
namespace {

std::size_t discard_body(char*, std::size_t size, std::size_t count, void*) {
  return size * count;
}

}  // namespace

SpanExporter::Transport curl_transport(std::string endpoint,
                                       std::vector<std::pair<std::string, std::string>> headers,
                                       std::chrono::milliseconds timeout) {
  curl_global_init(CURL_GLOBAL_DEFAULT);  // idempotent once the first call returned
  // One easy handle for every export: libcurl keeps the connection to the endpoint open
  // between batches. Only the exporter's thread calls the transport.
  struct Session {
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl{curl_easy_init(), curl_easy_cleanup};
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers{nullptr,
                                                                        curl_slist_free_all};
  };
  auto session = std::make_shared<Session>();
  curl_slist* list = curl_slist_append(nullptr, "Content-Type: application/json");
  // No "Expect: 100-continue" (libcurl adds it to large bodies): an endpoint that ignores it
  // would hold every export for a second.
  list = curl_slist_append(list, "Expect:");
  for (const auto& [name, value] : headers) {
    list = curl_slist_append(list, (name + ": " + value).c_str());
  }
  session->headers.reset(list);
  if (CURL* curl = session->curl.get()) {
    curl_easy_setopt(curl, CURLOPT_URL, endpoint.c_str());
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, session->headers.get());
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard_body);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  }
  return [session](const std::string& body) {
    CURL* curl = session->curl.get();
    if (!curl) return false;
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    if (curl_easy_perform(curl) != CURLE_OK) return false;
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    return status >= 200 && status < 300;
  };
}

SpanExporter::SpanExporter(const TraceOptions& trace, Options options)
    : SpanExporter(trace, options, curl_transport(trace.endpoint, trace.headers, options.timeout)) {
}

SpanExporter::SpanExporter(const TraceOptions& trace, Options options, Transport transport)
    : service_name_(trace.service_name),
      options_(options),
      transport_(std::move(transport)),
      thread_([this] { run(); }) {}

SpanExporter::~SpanExporter() {
  stop();
}

void SpanExporter::submit(Span span) noexcept {
  std::lock_guard lock(mutex_);
  if (stopping_ || queue_.size() >= options_.max_queued) {
    ++dropped_;
    return;
  }
  try {
    queue_.push_back(std::move(span));
  } catch (...) {
    ++dropped_;
    return;
  }
  ++submitted_;
  if (queue_.size() >= options_.max_batch) wake_.notify_one();
}

void SpanExporter::flush() {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = submitted_;
  if (handled_ >= target || !thread_.joinable()) return;
  flush_requested_ = true;
  wake_.notify_one();
  flushed_.wait(lock, [&] { return handled_ >= target; });
}

void SpanExporter::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

std::uint64_t SpanExporter::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

std::uint64_t SpanExporter::exported() const {
  std::lock_guard lock(mutex_);
  return exported_;
}

void SpanExporter::run() {
  std::vector<Span> batch;
  for (;;) {
    bool stopping = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, options_.flush_interval, [&] {
        return stopping_ || flush_requested_ || queue_.size() >= options_.max_batch;
      });
      batch.swap(queue_);
      flush_requested_ = false;
      stopping = stopping_;
    }
    report_drops();
    send(batch);
    {
      std::lock_guard lock(mutex_);
      handled_ += batch.size();
    }
    flushed_.notify_all();
    batch.clear();
    if (stopping) {
      std::lock_guard lock(mutex_);
      if (queue_.empty()) break;
    }
  }
}

void SpanExporter::report_drops() {
  std::uint64_t total = 0;
  {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (dropped_ == reported_drops_ || now - last_drop_report_ < std::chrono::minutes(1)) return;
    last_drop_report_ = now;
    reported_drops_ = dropped_;
    total = dropped_;
  }
  spdlog::warn("traces: {} spans dropped so far (queue full or not accepted)", total);
}

void SpanExporter::send(std::vector<Span>& spans) {
  for (std::size_t first = 0; first < spans.size(); first += options_.max_batch) {
    const std::size_t count = std::min(options_.max_batch, spans.size() - first);
    bool accepted = false;
    try {
      const std::string body =
          otlp_json(std::span<const Span>(spans.data() + first, count), service_name_);
      accepted = transport_(body);
    } catch (const std::exception&) {
      accepted = false;
    }
    std::lock_guard lock(mutex_);
    (accepted ? exported_ : dropped_) += count;
  }
}

}  // namespace basalt::trace
