// WebhookTransport: how the webhook sender (webhook_sender.hpp) moves one signed POST to its
// endpoint and reads the answer. Two implementations: PlainHttpTransport for http:// URLs
// (plain_http_transport.hpp: an HTTP/1.1 client of its own, cheaper per delivery than libcurl)
// and CurlTransport for everything else (https://).
//
// Invariants every transport keeps (docs/events.md, "Outbound safety"):
//   1. every new connection goes to an address the outbound guard (core/outbound_guard.hpp)
//      allowed after DNS resolution; a kept connection goes to the address checked when it
//      was opened;
//   2. post() returns within connect_timeout + total_timeout of the target, name resolution
//      included;
//   3. at most kMaxResponseBytes of the answer's body are read; redirects are not followed;
//      no proxy from the environment is used.
// Thread ownership: one dispatcher thread at a time (Destination's contract); a transport
// keeps its connection between calls.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace basalt::events {

inline constexpr std::size_t kMaxResponseBytes = 64 * 1024;  // of the answer's body
inline constexpr std::size_t kExcerptBytes = 1024;           // kept for the delivery log

struct WebhookRequest {
  // Header names and values, validated by destination_spec.cpp (tokens; no CR or LF).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;
};

struct WebhookResponse {
  std::string refused;    // the refused address's class (address_class_name); empty: none
  std::string error;      // why no status was read (connect, timeout, protocol); empty: none
  int status = 0;         // the answer's status, when one was read
  std::string excerpt;    // the first kExcerptBytes of the answer's body
  bool body_cut = false;  // the body passed kMaxResponseBytes: read up to there, not further
};

class WebhookTransport {
 public:
  virtual ~WebhookTransport() = default;
  virtual WebhookResponse post(const WebhookRequest& request) = 0;
};

}  // namespace basalt::events
