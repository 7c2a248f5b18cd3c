// Request ids: every request carries one in `X-Request-Id`, echoed on the response and written
// to the access log, so a client's report can be matched to the server's log line.
#pragma once

#include <string>
#include <string_view>

namespace basalt::http {

inline constexpr std::string_view kRequestIdHeader = "X-Request-Id";
inline constexpr std::size_t kMaxRequestIdLength = 128;

// An incoming id is kept when it is 1..128 characters of [A-Za-z0-9._:+=/-]: enough for UUIDs,
// W3C trace ids and base64 ids, and nothing that could split a log line or a header.
bool is_valid_request_id(std::string_view id) noexcept;

// A fresh id: 20 characters of [a-z0-9]. Ids are unique, not secret, so they come from a
// per-thread PRNG seeded from the OS once per thread (no lock, no syscall per request).
std::string generate_request_id();

}  // namespace basalt::http
