// Writes a Response as HTTP/1.1 bytes straight into the connection's output buffer: one pass,
// no intermediate header object (docs/architecture.md: measured faster than Beast's serializer).
#pragma once

#include <string>
#include <string_view>

#include "basalt/http/response.hpp"

namespace basalt::http {

struct WriteOptions {
  bool head = false;       // HEAD: headers (with the GET Content-Length) but no body
  bool keep_alive = true;  // false adds `Connection: close`
  std::string_view request_id;
};

// Appends status line, headers and body to `out`; returns the number of body bytes written.
std::size_t write_response(const Response& response, const WriteOptions& options, std::string& out);

// Appends a bare `100 Continue` interim response.
void write_continue(std::string& out);

// The current time as an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), formatted at most once
// per second per thread.
std::string_view http_date();

}  // namespace basalt::http
