#include "basalt/scripting/script_http.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <memory>
#include <mutex>

#include "basalt/core/api_error.hpp"
#include "basalt/core/outbound_guard_curl.hpp"
#include "basalt/scripting/header_checks.hpp"

namespace basalt::scripting {
namespace json = boost::json;
namespace {

constexpr std::size_t kMaxAnswerHeaders = 100;

[[noreturn]] void refuse(std::string message) {
  throw core::ApiError::bad_request("basalt.http.request: " + std::move(message));
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct Exchange {
  core::CurlGuard guard;  // the outbound guard on every connection (outbound_guard_curl.hpp)
  std::size_t limit = 0;
  std::string body;
  bool cut = false;
  json::object headers;
};

std::size_t keep_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const std::size_t bytes = size * count;
  if (exchange->body.size() + bytes > exchange->limit) {
    exchange->cut = true;
    return 0;  // ends the transfer
  }
  exchange->body.append(data, bytes);
  return bytes;
}

// One header line of the final response; a new status line (after a 1xx) starts over.
std::size_t keep_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    exchange->headers.clear();
    return size * count;
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || exchange->headers.size() >= kMaxAnswerHeaders) {
    return size * count;
  }
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  const std::string name = lower(line.substr(0, colon));
  if (!exchange->headers.contains(name)) exchange->headers[name] = value;
  return size * count;
}

struct CurlHandle {
  CURL* curl = curl_easy_init();
  curl_slist* headers = nullptr;
  ~CurlHandle() {
    if (curl) curl_easy_cleanup(curl);
    curl_slist_free_all(headers);
  }
};

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

HttpCall parse_http_call(const json::value& spec, const HttpLimits& limits) {
  const json::object* table = spec.if_object();
  if (!table) refuse("give a table {method, url, headers, body, timeout}");
  HttpCall call;
  call.timeout = limits.default_timeout;
  if (const json::value* method = table->if_contains("method"); method && !method->is_null()) {
    if (!method->is_string()) refuse("method must be a string");
    call.method = std::string(method->get_string());
    for (char& c : call.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    static constexpr std::string_view kMethods[] = {"GET", "HEAD",  "POST",
                                                    "PUT", "PATCH", "DELETE"};
    if (std::find(std::begin(kMethods), std::end(kMethods), call.method) == std::end(kMethods)) {
      refuse("method must be GET, HEAD, POST, PUT, PATCH or DELETE");
    }
  }
  const json::value* url = table->if_contains("url");
  if (!url || !url->is_string()) refuse("url must be a string");
  call.url = std::string(url->get_string());
  const std::string scheme = lower(call.url.substr(0, 8));
  if (!scheme.starts_with("http://") && !scheme.starts_with("https://")) {
    refuse("url must start with http:// or https://");
  }
  if (call.url.size() > kMaxHttpUrl || !is_header_value(call.url) ||
      call.url.find(' ') != std::string::npos) {
    refuse("url is too long or holds spaces or control characters");
  }
  if (const json::value* headers = table->if_contains("headers"); headers && !headers->is_null()) {
    if (!headers->is_object() || headers->get_object().size() > kMaxHttpHeaders) {
      refuse("headers must be a table of at most 64 names");
    }
    for (const auto& entry : headers->get_object()) {
      if (!is_header_name(entry.key()) || !entry.value().is_string() ||
          !is_header_value(entry.value().get_string())) {
        refuse("header '" + std::string(entry.key().substr(0, 128)) + "' is not allowed");
      }
      call.headers.emplace_back(std::string(entry.key()), std::string(entry.value().get_string()));
    }
  }
  if (const json::value* body = table->if_contains("body"); body && !body->is_null()) {
    call.has_body = true;
    if (body->is_string()) {
      call.body = std::string(body->get_string());
    } else {
      // A table is sent as JSON (Content-Type application/json unless the script set one).
      call.body = json::serialize(*body);
      const bool typed = std::any_of(call.headers.begin(), call.headers.end(), [](const auto& h) {
        return lower(h.first) == "content-type";
      });
      if (!typed) call.headers.emplace_back("Content-Type", "application/json");
    }
    if (call.body.size() > kMaxHttpRequestBody) refuse("body is larger than 1 MiB");
  }
  if (const json::value* timeout = table->if_contains("timeout"); timeout && !timeout->is_null()) {
    double ms = 0;
    if (timeout->is_int64()) {
      ms = static_cast<double>(timeout->get_int64());
    } else if (timeout->is_double()) {
      ms = timeout->get_double();
    } else {
      refuse("timeout must be a number of milliseconds");
    }
    if (!(ms >= 1) || ms > static_cast<double>(limits.max_timeout.count())) {
      refuse("timeout must be from 1 to " + std::to_string(limits.max_timeout.count()) + " ms");
    }
    call.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(ms));
  }
  return call;
}

json::value perform_http_call(const HttpCall& call, const HttpLimits& limits) {
  init_curl_once();
  CurlHandle handle;
  CURL* curl = handle.curl;
  if (!curl) throw core::ApiError(502, "basalt.http.request: curl_easy_init failed");
  for (const auto& [name, value] : call.headers) {
    const std::string line = name + ": " + value;
    handle.headers = curl_slist_append(handle.headers, line.c_str());
  }
  handle.headers = curl_slist_append(handle.headers, "Expect:");  // no 100-continue round trip

  Exchange exchange;
  exchange.guard.allow_private = limits.allow_private;
  exchange.limit = limits.max_response_bytes;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, call.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_PROXY, "");  // never a proxy from the environment
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(call.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "basalt-hooks");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, handle.headers);
  if (call.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (call.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  }
  if (call.has_body) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, call.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
  }
  exchange.guard.install(curl);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &exchange);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, keep_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &exchange);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  const CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);

  if (code != CURLE_OK && !exchange.guard.refused.empty()) {
    throw core::ApiError(502, "basalt.http.request: refused: the target resolves to a " +
                                  exchange.guard.refused +
                                  " address (webhooks-allow-private is off)");
  }
  if (exchange.cut) {
    throw core::ApiError(502, "basalt.http.request: the response is larger than " +
                                  std::to_string(limits.max_response_bytes) +
                                  " bytes; the transfer was cut");
  }
  if (code == CURLE_OPERATION_TIMEDOUT) {
    throw core::ApiError(504, "basalt.http.request: no complete answer within " +
                                  std::to_string(call.timeout.count()) + " ms");
  }
  if (code != CURLE_OK) {
    const std::string reason = error_buffer[0] ? error_buffer : curl_easy_strerror(code);
    throw core::ApiError(502, "basalt.http.request: " + reason);
  }
  return json::object{{"status", status},
                      {"headers", std::move(exchange.headers)},
                      {"body", std::move(exchange.body)}};
}

}  // namespace basalt::scripting
