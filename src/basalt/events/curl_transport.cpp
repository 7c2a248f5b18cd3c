#include "basalt/events/curl_transport.hpp"

#include <curl/curl.h>

#include "basalt/core/outbound_guard_curl.hpp"

namespace basalt::events {

namespace {

struct Exchange {
  core::CurlGuard guard;  // the outbound guard on every connection (outbound_guard_curl.hpp)
  std::string excerpt;
  std::size_t received = 0;
};

std::size_t keep_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const std::size_t bytes = size * count;
  exchange->received += bytes;
  if (exchange->excerpt.size() < kExcerptBytes) {
    exchange->excerpt.append(data, std::min(bytes, kExcerptBytes - exchange->excerpt.size()));
  }
  return exchange->received > kMaxResponseBytes ? 0 : bytes;  // 0 ends the transfer
}

}  // namespace

struct CurlTransport::Handle {
  CURL* curl = nullptr;
  Exchange exchange;  // the current delivery's answer and guard (reset for each)
  char error_buffer[CURL_ERROR_SIZE] = {0};
  ~Handle() {
    if (curl) curl_easy_cleanup(curl);
  }
};

CurlTransport::CurlTransport(std::string url, bool allow_private,
                             std::chrono::milliseconds connect_timeout,
                             std::chrono::milliseconds total_timeout)
    : url_(std::move(url)),
      allow_private_(allow_private),
      connect_timeout_(connect_timeout),
      total_timeout_(total_timeout),
      handle_(std::make_unique<Handle>()) {}

CurlTransport::~CurlTransport() = default;

WebhookResponse CurlTransport::post(const WebhookRequest& request) {
  WebhookResponse response;
  Handle& handle = *handle_;
  if (!handle.curl) {
    handle.curl = curl_easy_init();
    if (!handle.curl) {
      response.error = "curl_easy_init failed";
      return response;
    }
    // A kept connection goes to the address the guard checked when it was opened, whatever the
    // name resolves to now; every new connection (the first, or after the receiver closed one)
    // passes the guard again.
    CURL* curl = handle.curl;
    handle.exchange.guard.allow_private = allow_private_;
    curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_PROXY, "");  // never a proxy from the environment
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout_.count()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(total_timeout_.count()));
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "basalt-webhooks");
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    handle.exchange.guard.install(curl);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &handle.exchange);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, handle.error_buffer);
  }
  CURL* curl = handle.curl;
  Exchange& exchange = handle.exchange;
  exchange.guard.refused.clear();
  exchange.excerpt.clear();
  exchange.received = 0;
  handle.error_buffer[0] = '\0';

  curl_slist* headers = curl_slist_append(nullptr, "Expect:");  // no 100-continue round trip
  for (const auto& [name, value] : request.headers) {
    const std::string line = name + ": " + value;
    headers = curl_slist_append(headers, line.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  const CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);  // the list is freed next
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, nullptr);
  curl_slist_free_all(headers);

  response.status = static_cast<int>(status);
  response.excerpt = std::move(exchange.excerpt);
  response.body_cut = code == CURLE_WRITE_ERROR && exchange.received > kMaxResponseBytes;
  if (code != CURLE_OK && !(response.body_cut && status != 0)) {
    response.status = 0;
    response.refused = exchange.guard.refused;
    response.error = handle.error_buffer[0] ? handle.error_buffer : curl_easy_strerror(code);
  }
  return response;
}

}  // namespace basalt::events
