#include "basalt/http/response_writer.hpp"

#include <boost/beast/http/status.hpp>
#include <charconv>
#include <ctime>
#include <ostream>  // boost::core::string_view streams need it

namespace basalt::http {
namespace {

// Per-thread cache: formatting a date costs more than the rest of a small response.
struct DateCache {
  std::time_t second = 0;
  char text[40] = {};
  std::size_t length = 0;
};

void append_number(std::string& out, std::size_t value) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, end);
}

void append_header(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

}  // namespace

// The real time, not core::Clock: the Date header describes the transport, not data a service
// stores or decides on, and no test needs to move it.
std::string_view http_date() {
  thread_local DateCache cache;
  std::time_t now = std::time(nullptr);
  if (now != cache.second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    cache.length = std::strftime(cache.text, sizeof cache.text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cache.second = now;
  }
  return {cache.text, cache.length};
}

std::size_t write_response(const Response& response, const WriteOptions& options,
                           std::string& out) {
  const auto status = static_cast<unsigned>(response.status());
  out.append("HTTP/1.1 ");
  append_number(out, status);
  out.push_back(' ');
  auto reason =
      boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
  out.append(reason.data(), reason.size());
  out.append("\r\n");
  append_header(out, "Date", http_date());
  // 1xx, 204 and 304 responses carry no body and no Content-Length (RFC 9110 §8.6).
  const bool bodiless = status < 200 || status == 204 || status == 304;
  if (!response.content_type().empty()) append_header(out, "Content-Type", response.content_type());
  // A stream's body ends with the connection (stream.hpp).
  if (!bodiless && !response.streaming()) {
    const FileBody* file = response.file_body();
    out.append("Content-Length: ");
    append_number(out, file ? file->length : response.body().size());
    out.append("\r\n");
  }
  if (!options.request_id.empty()) append_header(out, "X-Request-Id", options.request_id);
  for (const auto& [name, value] : response.headers()) append_header(out, name, value);
  if (!options.keep_alive) out.append("Connection: close\r\n");
  out.append("\r\n");
  if (options.head || bodiless) return 0;
  // A file's bytes follow from the connection (file_body.hpp).
  if (const FileBody* file = response.file_body()) return file->length;
  out.append(response.body());
  return response.body().size();
}

void write_continue(std::string& out) {
  out.append("HTTP/1.1 100 Continue\r\n\r\n");
}

}  // namespace basalt::http
