#include "basalt/oauth2/outbound_http.hpp"

#include "basalt/core/span_scope.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace basalt::oauth2 {
namespace {

struct CurlHandle {
  CURL* curl = curl_easy_init();
  ~CurlHandle() {
    if (curl) curl_easy_cleanup(curl);
  }
};

struct CurlList {
  curl_slist* list = nullptr;
  ~CurlList() { curl_slist_free_all(list); }
};

struct Sink {
  std::string* body;
  std::size_t max;
  bool too_large = false;
};

std::size_t write_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::size_t n = size * count;
  if (sink->body->size() + n > sink->max) {
    sink->too_large = true;
    return 0;  // aborts the transfer
  }
  sink->body->append(data, n);
  return n;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool loopback_host(std::string_view host) {
  if (host == "localhost" || host == "[::1]" || host == "::1") return true;
  return host.starts_with("127.") &&
         host.find_first_not_of("0123456789.") == std::string_view::npos;
}

// Scheme and host of an absolute URL; false when it is not one.
bool split_url(std::string_view url, std::string& scheme, std::string& host) {
  const auto colon = url.find("://");
  if (colon == std::string_view::npos || colon == 0) return false;
  scheme = lower(url.substr(0, colon));
  std::string_view rest = url.substr(colon + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (rest.find('@') != std::string_view::npos) return false;  // no credentials in URLs
  if (rest.starts_with('[')) {
    const auto end = rest.find(']');
    if (end == std::string_view::npos) return false;
    host = lower(rest.substr(0, end + 1));
  } else {
    host = lower(rest.substr(0, rest.find(':')));
  }
  return !host.empty();
}

}  // namespace

bool url_allowed(std::string_view url, const OutboundPolicy& policy) {
  std::string scheme, host;
  if (!split_url(url, scheme, host)) return false;
  if (url.find_first_of(" \r\n\t") != std::string_view::npos) return false;
  if (scheme == "https") return true;
  return scheme == "http" && policy.allow_loopback_http && loopback_host(host);
}

std::string form_escape(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

OutboundResponse fetch(const OutboundRequest& request, const OutboundPolicy& policy) {
  OutboundResponse response;
  if (!url_allowed(request.url, policy)) {
    response.error = "the URL is not allowed (https only, or loopback http when enabled)";
    return response;
  }
  auto total = policy.total_timeout;
  if (request.deadline != std::chrono::steady_clock::time_point::max()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        request.deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      response.error = "the sign-in ran out of time";
      return response;
    }
    total = std::min(total, left);
  }
  thread_local CurlHandle handle;
  CURL* curl = handle.curl;
  if (!curl) {
    response.error = "libcurl could not be initialised";
    return response;
  }
  curl_easy_reset(curl);
  const char* protocols = policy.allow_loopback_http ? "http,https" : "https";
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, protocols);
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, request.follow_redirects ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 3L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(policy.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(total.count()));
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "basalt-oauth2");
  CurlList headers;
  for (const auto& h : request.headers) headers.list = curl_slist_append(headers.list, h.c_str());
  // A client span when the sign-in's request is sampled, and W3C traceparent either way
  // (docs/observability.md, "Outgoing requests"); the provider is not told anything else.
  core::SpanScope span;
  if (span.start("OAuth2 " + request.method, core::SpanKind::kClient)) {
    span.set("http.request.method", request.method);
  }
  for (const std::string& line : core::outgoing_trace_headers()) {
    headers.list = curl_slist_append(headers.list, line.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
  if (request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  Sink sink{&response.body, request.max_body};
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  char error_buffer[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  const CURLcode code = curl_easy_perform(curl);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  if (span.active()) {
    span.set("http.response.status_code", static_cast<std::int64_t>(response.status));
    if (code != CURLE_OK || response.status >= 500) span.set_error();
  }
  char* type = nullptr;
  if (curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type) {
    response.content_type = type;
  }
  if (sink.too_large) {
    response.error = "the answer is larger than " + std::to_string(request.max_body) + " bytes";
  } else if (code != CURLE_OK) {
    response.error = error_buffer[0] ? error_buffer : curl_easy_strerror(code);
  }
  return response;
}

}  // namespace basalt::oauth2
