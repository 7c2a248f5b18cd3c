// basalt.http.request (docs/hooks.md, "Outbound HTTP"): the scripts' outbound requests.
//
// parse_http_call() turns the script's table into an HttpCall and bounds it (method, URL
// scheme and length, at most 64 headers of 8 KiB, a 1 MiB body, a timeout of 1 ms to 30 s);
// perform_http_call() runs it through libcurl and BLOCKS, so the engine runs it on its own
// blocking pool while the script's coroutine is suspended (never on a worker thread).
//
// Outbound safety (core/outbound_guard.hpp): every connection's address is classified after
// DNS resolution, in curl's socket callback, and refused unless public or
// `webhooks-allow-private` is on; proxies from the environment are ignored and redirects are
// not followed (a 3xx is answered to the script as it is), so the address checked is the one
// connected. The response body is read up to `max_response_bytes`; past it the transfer is
// cut and the call fails.
//
// Failures are core::ApiError, raised in the script as error tables: 400 for a call the
// script spelled wrong, 502 for a refused address, a cut response or a transport error, 504
// for the timeout. Thread safety: pure functions; one curl handle per call.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace basalt::scripting {

struct HttpLimits {
  bool allow_private = false;                 // webhooks-allow-private (one switch for both)
  std::size_t max_response_bytes = 1u << 20;  // the largest response body read
  std::chrono::milliseconds default_timeout{10000};
  std::chrono::milliseconds max_timeout{30000};
};

inline constexpr std::size_t kMaxHttpRequestBody = 1u << 20;
inline constexpr std::size_t kMaxHttpUrl = 8192;
inline constexpr std::size_t kMaxHttpHeaders = 64;

struct HttpCall {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool has_body = false;
  std::chrono::milliseconds timeout{10000};
};

// The script's {method, url, headers, body, timeout} (timeout in ms). Throws core::ApiError 400.
HttpCall parse_http_call(const boost::json::value& spec, const HttpLimits& limits);

// Blocking. {status, headers = {lower-case name = first value}, body}; throws core::ApiError.
boost::json::value perform_http_call(const HttpCall& call, const HttpLimits& limits);

}  // namespace basalt::scripting
