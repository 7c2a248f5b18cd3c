#include "basalt/events/webhook_sender.hpp"

#include "basalt/brokers/event_envelope.hpp"

#include <curl/curl.h>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <ctime>

#include "basalt/core/outbound_guard_curl.hpp"
#include "basalt/core/span_scope.hpp"
#include "basalt/events/webhook_signature.hpp"

namespace basalt::events {

namespace {

constexpr std::size_t kMaxResponseBytes = 64 * 1024;
constexpr std::size_t kExcerptBytes = 1024;

struct Exchange {
  core::CurlGuard guard;  // the outbound guard on every connection (outbound_guard_curl.hpp)
  std::string excerpt;
  std::size_t received = 0;
};

std::size_t keep_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const std::size_t bytes = size * count;
  exchange->received += bytes;
  if (exchange->excerpt.size() < kExcerptBytes) {
    exchange->excerpt.append(data, std::min(bytes, kExcerptBytes - exchange->excerpt.size()));
  }
  return exchange->received > kMaxResponseBytes ? 0 : bytes;  // 0 ends the transfer
}

// `traceparent` or `tracestate`, in any case.
bool is_trace_header(std::string_view name) {
  const auto same = [name](std::string_view wanted) {
    if (name.size() != wanted.size()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
      const char c = name[i] >= 'A' && name[i] <= 'Z' ? static_cast<char>(name[i] + 32) : name[i];
      if (c != wanted[i]) return false;
    }
    return true;
  };
  return same("traceparent") || same("tracestate");
}

// Keeps the excerpt valid for the log: no bytes that are not printable ASCII or UTF-8.
std::string printable(std::string text) {
  for (char& c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\n' && c != '\t') c = ' ';
  }
  return text;
}

}  // namespace

std::string webhook_payload(const OutboxEvent& event) {
  return brokers::build_event_envelope(event);
}

// The easy handle of one destination, with the options that never change between its
// deliveries set once (setting them again per delivery, after a curl_easy_reset, cost ≈ a
// tenth of a delivery's CPU). Its connection cache keeps the last connection (keep-alive).
// Thread ownership: the dispatcher runs at most one task of a destination at a time.
struct WebhookSender::Handle {
  CURL* curl = nullptr;
  Exchange exchange;  // the current delivery's response and guard (reset for each)
  char error_buffer[CURL_ERROR_SIZE] = {0};
  ~Handle() {
    if (curl) curl_easy_cleanup(curl);
  }
};

WebhookSender::WebhookSender(WebhookTarget target, bool allow_private)
    : target_(std::move(target)),
      allow_private_(allow_private),
      handle_(std::make_unique<Handle>()) {}

WebhookSender::~WebhookSender() = default;

DeliveryResult WebhookSender::deliver(const OutboxEvent& event) {
  DeliveryResult result;
  const auto started = std::chrono::steady_clock::now();
  auto finish = [&](DeliveryResult::Outcome outcome, std::string detail) {
    result.outcome = outcome;
    result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    if (detail.size() > kExcerptBytes) detail.resize(kExcerptBytes);
    result.detail = printable(std::move(detail));
    return result;
  };
  Handle& handle = *handle_;
  if (!handle.curl) {
    handle.curl = curl_easy_init();
    if (!handle.curl) return finish(DeliveryResult::Outcome::kRetry, "curl_easy_init failed");
    // A kept connection goes to the address the guard checked when it was opened, whatever the
    // name resolves to now; every new connection (the first, or after the receiver closed one)
    // passes the guard again.
    CURL* curl = handle.curl;
    handle.exchange.guard.allow_private = allow_private_;
    curl_easy_setopt(curl, CURLOPT_URL, target_.url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_PROXY, "");  // never a proxy from the environment
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(target_.connect_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(target_.total_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "basalt-webhooks");
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    handle.exchange.guard.install(curl);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &handle.exchange);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, handle.error_buffer);
  }
  CURL* curl = handle.curl;
  Exchange& exchange = handle.exchange;
  exchange.guard.refused.clear();
  exchange.excerpt.clear();
  exchange.received = 0;
  handle.error_buffer[0] = '\0';

  const std::string body = webhook_payload(event);
  const std::int64_t timestamp = static_cast<std::int64_t>(std::time(nullptr));
  std::vector<std::string> lines = {
      "Content-Type: application/json",
      "webhook-id: " + event.event_id,
      "webhook-timestamp: " + std::to_string(timestamp),
      "webhook-signature: " + webhook_signature(target_.key, event.event_id, timestamp, body),
      "Expect:",  // no 100-continue round trip
  };
  // W3C trace context of the delivery's span (delivery_trace.hpp), when tracing is on; it
  // replaces a configured header of the same name.
  const core::TraceContextValues trace = core::outgoing_trace_context();
  if (!trace.traceparent.empty()) lines.push_back("traceparent: " + trace.traceparent);
  if (!trace.tracestate.empty()) lines.push_back("tracestate: " + trace.tracestate);
  for (const auto& [name, value] : target_.headers) {
    if (!trace.traceparent.empty() && is_trace_header(name)) continue;
    lines.push_back(name + ": " + value);
  }
  curl_slist* headers = nullptr;
  for (const std::string& line : lines) headers = curl_slist_append(headers, line.c_str());

  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  const CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);  // the list is freed next
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, nullptr);
  curl_slist_free_all(headers);
  const char* error_buffer = handle.error_buffer;
  result.status = static_cast<int>(status);

  if (code != CURLE_OK && !exchange.guard.refused.empty()) {
    // Refused addresses do not become reachable by retrying: dead-letter at once.
    return finish(DeliveryResult::Outcome::kReject, "refused: the target resolves to a " +
                                                        exchange.guard.refused +
                                                        " address (webhooks-allow-private is off)");
  }
  const bool body_cut = code == CURLE_WRITE_ERROR && exchange.received > kMaxResponseBytes;
  if (code != CURLE_OK && !(body_cut && status != 0)) {
    const std::string reason = error_buffer[0] ? error_buffer : curl_easy_strerror(code);
    return finish(DeliveryResult::Outcome::kRetry, reason);
  }
  if (status >= 200 && status < 300) {
    return finish(DeliveryResult::Outcome::kDelivered, exchange.excerpt);
  }
  if (status == 408 || status == 429 || status >= 500) {
    return finish(DeliveryResult::Outcome::kRetry, exchange.excerpt);
  }
  return finish(DeliveryResult::Outcome::kReject, exchange.excerpt);
}

}  // namespace basalt::events
