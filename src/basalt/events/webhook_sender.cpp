#include "basalt/events/webhook_sender.hpp"

#include "basalt/brokers/event_envelope.hpp"

#include <ctime>

#include "basalt/core/span_scope.hpp"
#include "basalt/events/curl_transport.hpp"
#include "basalt/events/plain_http_transport.hpp"
#include "basalt/events/webhook_signature.hpp"

namespace basalt::events {

namespace {

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

std::unique_ptr<WebhookTransport> make_webhook_transport(const WebhookTarget& target,
                                                         bool allow_private) {
  if (auto origin = plain_http_origin(target.url)) {
    return std::make_unique<PlainHttpTransport>(std::move(*origin), allow_private,
                                                target.connect_timeout, target.total_timeout);
  }
  return std::make_unique<CurlTransport>(target.url, allow_private, target.connect_timeout,
                                         target.total_timeout);
}

WebhookSender::WebhookSender(WebhookTarget target, bool allow_private)
    : target_(std::move(target)), transport_(make_webhook_transport(target_, allow_private)) {}

WebhookSender::WebhookSender(WebhookTarget target, std::unique_ptr<WebhookTransport> transport)
    : target_(std::move(target)), transport_(std::move(transport)) {}

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

  const std::string body = webhook_payload(event);
  const std::int64_t timestamp = static_cast<std::int64_t>(std::time(nullptr));
  WebhookRequest request;
  request.body = body;
  request.headers = {
      {"Content-Type", "application/json"},
      {"webhook-id", event.event_id},
      {"webhook-timestamp", std::to_string(timestamp)},
      {"webhook-signature", webhook_signature(target_.key, event.event_id, timestamp, body)},
  };
  // W3C trace context of the delivery's span (delivery_trace.hpp), when tracing is on; it
  // replaces a configured header of the same name.
  const core::TraceContextValues trace = core::outgoing_trace_context();
  if (!trace.traceparent.empty()) request.headers.emplace_back("traceparent", trace.traceparent);
  if (!trace.tracestate.empty()) request.headers.emplace_back("tracestate", trace.tracestate);
  for (const auto& [name, value] : target_.headers) {
    if (!trace.traceparent.empty() && is_trace_header(name)) continue;
    request.headers.emplace_back(name, value);
  }

  WebhookResponse response = transport_->post(request);
  result.status = response.status;
  if (!response.refused.empty()) {
    // Refused addresses do not become reachable by retrying: dead-letter at once.
    return finish(DeliveryResult::Outcome::kReject, "refused: the target resolves to a " +
                                                        response.refused +
                                                        " address (webhooks-allow-private is off)");
  }
  if (!response.error.empty()) return finish(DeliveryResult::Outcome::kRetry, response.error);
  const int status = response.status;
  if (status >= 200 && status < 300) {
    return finish(DeliveryResult::Outcome::kDelivered, std::move(response.excerpt));
  }
  if (status == 408 || status == 429 || status >= 500) {
    return finish(DeliveryResult::Outcome::kRetry, std::move(response.excerpt));
  }
  return finish(DeliveryResult::Outcome::kReject, std::move(response.excerpt));
}

}  // namespace basalt::events
