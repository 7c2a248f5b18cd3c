// WebhookSender: the Destination of one webhook endpoint (docs/events.md, "Webhooks").
// POSTs the event as JSON with the Standard Webhooks headers (webhook-id, webhook-timestamp,
// webhook-signature) through a WebhookTransport (webhook_transport.hpp) kept between calls, so
// its connection stays open (keep-alive): the plain HTTP/1.1 client for http:// URLs, libcurl
// for https://.
//
// Limits: connect timeout 5 s, total 10 s, redirects not followed (a 3xx is a rejection), at
// most 64 KiB of response read (the log keeps 1 KiB). 2xx: delivered; 408, 429, 5xx and
// transport errors: retry; any other status: reject.
// Outbound safety: every connection's address is classified after DNS resolution, just before
// connecting, and refused unless public (or `allow_private`); proxies from the environment are
// ignored, so the address checked is the one connected.
// Thread ownership: one dispatcher thread at a time (Destination's contract).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "basalt/events/destination.hpp"
#include "basalt/events/webhook_transport.hpp"

namespace basalt::events {

struct WebhookTarget {
  std::string url;
  std::string key;  // the secret's key bytes (base64-decoded part after whsec_)
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds total_timeout{10000};
};

// The JSON body of a delivery:
// the envelope every destination sends (brokers/event_envelope.hpp): {"id", "type", "timestamp",
// "sequence", "data": {"collection": {"id", "name"}, "record"}}
std::string webhook_payload(const OutboxEvent& event);

// The transport for the target's URL: PlainHttpTransport for http://, CurlTransport otherwise.
std::unique_ptr<WebhookTransport> make_webhook_transport(const WebhookTarget& target,
                                                         bool allow_private);

class WebhookSender : public Destination {
 public:
  WebhookSender(WebhookTarget target, bool allow_private);
  // With a transport chosen by the caller (the tests run both over the same receivers).
  WebhookSender(WebhookTarget target, std::unique_ptr<WebhookTransport> transport);
  ~WebhookSender() override;
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  DeliveryResult deliver(const OutboxEvent& event) override;

 private:
  WebhookTarget target_;
  std::unique_ptr<WebhookTransport> transport_;
};

}  // namespace basalt::events
