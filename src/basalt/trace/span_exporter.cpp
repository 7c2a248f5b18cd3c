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
      queue_({options.max_queued, options.max_batch, options.flush_interval}) {
  queue_.start([this](std::vector<Span>& batch) {
    report_drops();
    send(batch);
  });
}

SpanExporter::~SpanExporter() {
  stop();
}

void SpanExporter::submit(Span span) noexcept {
  queue_.push(std::move(span));
}

void SpanExporter::flush() {
  queue_.flush();
}

void SpanExporter::stop() {
  queue_.stop();
}

std::uint64_t SpanExporter::dropped() const {
  return queue_.dropped();
}

std::uint64_t SpanExporter::exported() const {
  return exported_.load(std::memory_order_relaxed);
}

void SpanExporter::report_drops() {
  const std::uint64_t total = queue_.dropped();
  const auto now = std::chrono::steady_clock::now();
  if (total == reported_drops_ || now - last_drop_report_ < std::chrono::minutes(1)) return;
  last_drop_report_ = now;
  reported_drops_ = total;
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
    if (accepted) {
      exported_.fetch_add(count, std::memory_order_relaxed);
    } else {
      queue_.count_dropped(count);
    }
  }
}

}  // namespace basalt::trace
