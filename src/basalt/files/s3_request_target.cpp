#include "basalt/files/s3_request_target.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <memory>

#include "basalt/files/storage.hpp"

namespace basalt::files {
namespace {

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

struct UrlDeleter {
  void operator()(CURLU* url) const noexcept { curl_url_cleanup(url); }
};
struct CurlStringDeleter {
  void operator()(char* text) const noexcept { curl_free(text); }
};

// One part of a parsed URL, or "" when it is absent.
std::string url_part(CURLU* url, CURLUPart part) {
  char* raw = nullptr;
  if (curl_url_get(url, part, &raw, 0) != CURLUE_OK || raw == nullptr) return {};
  std::unique_ptr<char, CurlStringDeleter> owned(raw);
  return std::string(raw);
}

}  // namespace

std::string aws_uri_encode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() + text.size() / 2);
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (unreserved(c) || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0F]);
    }
  }
  return out;
}

std::string canonical_query(QueryParams params) {
  for (auto& [name, value] : params) {
    name = aws_uri_encode(name, false);
    value = aws_uri_encode(value, false);
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

S3Endpoint parse_s3_endpoint(std::string_view endpoint) {
  // The endpoint text itself is never echoed: it is logged and returned by the S3 test route,
  // and a mistaken endpoint may carry credentials ("https://key:secret@host").
  auto fail = [](const char* why) -> S3Endpoint {
    throw StorageError(std::string("invalid S3 endpoint: ") + why);
  };
  if (endpoint.empty()) return fail("empty");
  std::unique_ptr<CURLU, UrlDeleter> url(curl_url());
  if (!url) throw std::bad_alloc();
  const std::string text(endpoint);
  if (curl_url_set(url.get(), CURLUPART_URL, text.c_str(), CURLU_DEFAULT_SCHEME) != CURLUE_OK) {
    return fail("not a URL");
  }
  S3Endpoint out;
  out.scheme = url_part(url.get(), CURLUPART_SCHEME);
  if (out.scheme != "https" && out.scheme != "http") return fail("the scheme must be http(s)");
  if (!url_part(url.get(), CURLUPART_USER).empty() ||
      !url_part(url.get(), CURLUPART_PASSWORD).empty()) {
    return fail("credentials belong in the access key and secret settings");
  }
  if (!url_part(url.get(), CURLUPART_QUERY).empty() ||
      !url_part(url.get(), CURLUPART_FRAGMENT).empty()) {
    return fail("no query or fragment allowed");
  }
  out.host = url_part(url.get(), CURLUPART_HOST);
  if (out.host.empty()) return fail("no host");
  out.port = url_part(url.get(), CURLUPART_PORT);
  out.base_path = url_part(url.get(), CURLUPART_PATH);
  while (!out.base_path.empty() && out.base_path.back() == '/') out.base_path.pop_back();
  return out;
}

std::string s3_url(const S3Endpoint& endpoint, std::string_view bucket, bool path_style,
                   std::string_view key, const QueryParams& query) {
  std::string url = endpoint.scheme + "://";
  if (!path_style) {
    url += bucket;
    url.push_back('.');
  }
  url += endpoint.host;
  if (!endpoint.port.empty()) url += ":" + endpoint.port;
  url += endpoint.base_path;
  if (path_style) {
    url.push_back('/');
    url += aws_uri_encode(bucket, false);
  }
  // A bucket request is `/bucket` in path style (no trailing '/'), `/` on a virtual host.
  if (!path_style || !key.empty()) url.push_back('/');
  url += aws_uri_encode(key, true);
  if (!query.empty()) {
    url.push_back('?');
    url += canonical_query(query);
  }
  return url;
}

}  // namespace basalt::files
