// Where an S3 request goes: the URL of a bucket or object, with its query already in the
// canonical form SigV4 signs (docs/files.md, "S3 storage").
//
// libcurl's SigV4 signer (CURLOPT_AWS_SIGV4) signs the URL's path and query as they are written
// in the URL: older libcurl versions (7.88, Debian 12's) do not re-encode or sort them. So the
// URL is built canonical from the start — each path segment and query value percent-encoded
// with AWS's rules (everything but A-Z a-z 0-9 - . _ ~, upper-case hex), the query parameters
// sorted by name and written `name=value` even when the value is empty (`uploads=`) — which is
// also a valid URL for every S3 server, and which newer libcurl versions leave as it is.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace basalt::files {

// AWS's URI encoding of one path segment or query component: unreserved characters kept, every
// other byte as %XX (upper-case). `keep_slash` keeps '/' (for object keys, which are encoded
// per segment).
std::string aws_uri_encode(std::string_view text, bool keep_slash);

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// `a=1&b=&c=x%20y`: names and values encoded, sorted by encoded name then value. "" for none.
std::string canonical_query(QueryParams params);

// The parts of the configured endpoint, split once when a backend is built.
struct S3Endpoint {
  std::string scheme;     // "https" or "http"
  std::string host;       // without the port; IPv6 literals keep their brackets
  std::string port;       // "" for the scheme's default
  std::string base_path;  // "" or "/prefix" (no trailing '/')
};

// Parses "https://s3.example.com", "http://127.0.0.1:9000", "s3.example.com" (https assumed).
// Throws StorageError for anything else (no userinfo, query or fragment accepted).
S3Endpoint parse_s3_endpoint(std::string_view endpoint);

// The URL of `key` in `bucket` (the bucket itself when `key` is empty):
//   path style:    <scheme>://<host>[:port]<base>/<bucket>/<key>?<query>
//   virtual hosts: <scheme>://<bucket>.<host>[:port]<base>/<key>?<query>
std::string s3_url(const S3Endpoint& endpoint, std::string_view bucket, bool path_style,
                   std::string_view key, const QueryParams& query);

}  // namespace basalt::files
