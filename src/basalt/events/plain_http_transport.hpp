// PlainHttpTransport: the webhook transport (webhook_transport.hpp) for http:// URLs, a small
// blocking HTTP/1.1 client over one kept connection. Why not libcurl for these: per delivery
// libcurl made about two poll(2) calls besides its send and recv, and its own code was a seventh
// of the delivery threads' samples; this client makes one send(2) and, for an answer that fits
// a segment, one recv(2). Server CPU per delivered event fell by about a third (docs/events.md,
// "Cost").
//
// What it does: resolves the host when it opens a connection, with a bounded wait, and connects
// only to an address the outbound guard allows (brokers/host_resolver.hpp, as the broker
// connectors do; the allowed addresses are tried in order until one connects); sends the
// request with Content-Length; reads the answer with Beast's parser (Content-Length, chunked or
// close-delimited bodies; up to 8 interim 1xx answers skipped; at most kMaxResponseBytes of
// body; 16 KiB at most of header, of a chunk-size line or of a trailer: the parser bounds only
// the header, so the bytes waiting unparsed are bounded here); keeps the connection unless the
// answer closes it. A kept connection that turns out closed before any byte of the answer (the
// receiver dropped it while idle) is replaced once and the request sent again: at-least-once
// delivery allows the rare duplicate this makes, as it allows libcurl's own retry of the same
// case. Left to libcurl: URLs with an IPv6 zone, or with bytes past ASCII in the path or query
// (libcurl percent-encodes them).
// Time: connect_timeout bounds the name's resolution and the connect together; total_timeout
// bounds the whole post from its start (each blocking call waits at most the time left, plus
// kTimeoutSlack, 100 ms; a post starts with its whole total_timeout even when the one before
// lowered the socket's timeouts).
// A connection kept idle for over a second since its last answer is checked with one poll(2)
// before reuse, as libcurl checks every time: readable means the receiver closed it (or sent
// an answer nobody asked for, such as a 408 before an idle close), and a fresh one is opened.
// Back-to-back deliveries skip the check; bytes that arrive within that second are read as the
// next answer.
// Thread ownership: one dispatcher thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "basalt/events/webhook_transport.hpp"

namespace basalt::events {

// Where an http:// URL points, in the forms the client needs.
struct PlainHttpOrigin {
  std::string host;         // for getaddrinfo: a name, or an address without brackets
  std::uint16_t port = 80;  // 80 when the URL names none
  std::string host_header;  // the Host header, as the URL spells host and port ("[::1]:8080")
  std::string target;       // path and query ("/hook?team=blue"); the fragment is dropped
};

// The origin of an http:// URL with an ASCII host; nullopt for any other URL (https://, a
// host with non-ASCII characters, anything libcurl's URL parser rejects): those go through
// CurlTransport.
std::optional<PlainHttpOrigin> plain_http_origin(const std::string& url);

class PlainHttpTransport : public WebhookTransport {
 public:
  PlainHttpTransport(PlainHttpOrigin origin, bool allow_private,
                     std::chrono::milliseconds connect_timeout,
                     std::chrono::milliseconds total_timeout);
  ~PlainHttpTransport() override;  // closes the kept connection
  PlainHttpTransport(const PlainHttpTransport&) = delete;
  PlainHttpTransport& operator=(const PlainHttpTransport&) = delete;

  WebhookResponse post(const WebhookRequest& request) override;

 private:
  using Clock = std::chrono::steady_clock;
  enum class Exchanged { kDone, kStale };  // kStale: a kept connection was found closed

  std::string serialize(const WebhookRequest& request) const;
  bool open(Clock::time_point deadline, WebhookResponse& response);
  bool wait_at_most(int option, Clock::time_point deadline);
  Exchanged exchange(const std::string& message, bool reused, Clock::time_point deadline,
                     WebhookResponse& response);
  void close();

  PlainHttpOrigin origin_;
  bool allow_private_;
  std::chrono::milliseconds connect_timeout_;
  std::chrono::milliseconds total_timeout_;
  int fd_ = -1;                      // the kept connection; -1: none
  Clock::time_point last_answer_{};  // when the last post ended
  // The SO_RCVTIMEO / SO_SNDTIMEO the connection has now: lowered only when the time left
  // falls below it by more than kTimeoutSlack, so a fast answer costs no setsockopt(2).
  std::chrono::milliseconds receive_timeout_{0};
  std::chrono::milliseconds send_timeout_{0};
};

}  // namespace basalt::events
