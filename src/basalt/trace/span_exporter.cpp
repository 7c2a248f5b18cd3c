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
  return [endpoint = std::move(endpoint), headers = std::move(headers),
          timeout](const std::string& body) {
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) return false;
    curl_slist* list = curl_slist_append(nullptr, "Content-Type: application/json");
    for (const auto& [name, value] : headers)
      list = curl_slist_append(list, (name + ": " + value).c_str());
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(list,
                                                                            curl_slist_free_all);
    curl_easy_setopt(curl.get(), CURLOPT_URL, endpoint.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_POST, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, header_list.get());
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, discard_body);
    curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
    if (curl_easy_perform(curl.get()) != CURLE_OK) return false;
    long status = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
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
    if (accepted) {
      exported_ += count;
      continue;
    }
    dropped_ += count;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_failure_report_ >= std::chrono::minutes(1)) {
      last_failure_report_ = now;
      spdlog::warn("traces: the OTLP endpoint did not accept {} spans ({} dropped so far)", count,
                   dropped_);
    }
  }
}

}  // namespace basalt::trace
