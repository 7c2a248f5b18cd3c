// Outbound HTTP of the OAuth2 flows: token exchange, user info, discovery documents, JWKS and
// avatar downloads, through libcurl (docs/oauth2.md, "Limits").
//
// Invariants:
//  1. Only https URLs are fetched; plain http only to a loopback host (127.0.0.0/8, ::1,
//     localhost) and only when the policy allows it (--oauth2-allow-loopback-http, for tests).
//     A refused URL is an error before any connection is made.
//  2. TLS peer and host verification stay on (libcurl's defaults, never turned off).
//  3. Every exchange has a connect timeout and a total timeout, and keeps at most `max_body`
//     bytes of the answer: a longer answer is an error, never truncated silently.
//  4. No redirect is followed unless the request asks for it (avatars), and then only to URLs
//     the policy admits, at most three hops.
//  5. Nothing here throws for a network or HTTP failure: the result says what went wrong.
//     Errors never carry the request body (it holds the client secret).
//
// Threads: blocking calls; run them on a pool, never on an I/O thread. Each thread keeps one
// libcurl handle of its own (thread_local), so connections are reused per thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace basalt::oauth2 {

struct OutboundPolicy {
  bool allow_loopback_http = false;
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds total_timeout{15'000};
};

struct OutboundRequest {
  std::string method = "GET";  // GET or POST
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // POST only
  std::size_t max_body = 1 << 20;
  bool follow_redirects = false;
  // The whole sign-in's deadline: the call's total timeout is cut to what is left of it, and a
  // call made after it fails at once.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

struct OutboundResponse {
  long status = 0;  // 0: no answer
  std::string body;
  std::string content_type;
  std::string error;  // set when the exchange failed (refused URL, network, size)
  bool ok() const noexcept { return error.empty() && status >= 200 && status < 300; }
};

// Whether `url` may be fetched under `policy` (invariant 1).
bool url_allowed(std::string_view url, const OutboundPolicy& policy);

// Performs `request` (blocking).
OutboundResponse fetch(const OutboundRequest& request, const OutboundPolicy& policy);

// application/x-www-form-urlencoded escaping of one key or value.
std::string form_escape(std::string_view text);

}  // namespace basalt::oauth2
