// One HTTP exchange with an S3 server through libcurl, signed by libcurl's built-in AWS SigV4
// signer (CURLOPT_AWS_SIGV4 "aws:amz:<region>:s3"); Basalt computes no signature itself.
//
// Bodies are streamed: a file slice is read with pread() as libcurl asks for it (never the whole
// file in memory), a response body goes into a string only up to a cap. The caller (S3Storage)
// decides what a status means and whether to try again (s3_retry.hpp); this layer only reports.
//
// Threads: libcurl easy handles are not thread-safe, so each thread keeps one handle of its own
// (thread_local, reset before each exchange, cleaned up when the thread ends). Reusing it keeps
// that thread's open connections and DNS cache between calls. Credentials go to libcurl as the
// user name and password (CURLOPT_USERNAME/PASSWORD: a ':' in a key stays intact) and are never
// put into a URL or an error message.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace basalt::files {

struct S3Credentials {
  std::string access_key;
  std::string secret;
  std::string region;  // part of the signature's scope
};

struct HttpTimeouts {
  std::chrono::milliseconds connect{10'000};
  std::chrono::milliseconds total{60'000};  // for requests without a large body
  // A transfer slower than `low_speed_bytes` per second for `low_speed_time` fails (and may be
  // retried): large uploads and downloads have no total limit, only this one.
  std::chrono::seconds low_speed_time{30};
  long low_speed_bytes = 1024;
};

struct HttpRequest {
  std::string method;                // GET, HEAD, PUT, POST or DELETE
  std::string url;                   // canonical (s3_request_target.hpp)
  std::vector<std::string> headers;  // "Name: value"; signed by libcurl with the rest

  // The body: none, `memory` (POST/PUT), or the slice [file_offset, file_offset + file_length)
  // of the open file `file_fd` (PUT). A file body is sent as UNSIGNED-PAYLOAD, a memory body
  // with its SHA-256 in x-amz-content-sha256.
  std::string_view memory;
  int file_fd = -1;
  std::uint64_t file_offset = 0;
  std::uint64_t file_length = 0;
  bool long_transfer = false;  // a large body either way: no total timeout, only low-speed

  // The response body kept: at most `max_body` bytes of a 2xx answer (more is an error,
  // `body_too_large`); error bodies are kept up to 64 KiB for their Code and Message. With
  // `range_length` set, the answer to a Range request: a 206 body is kept up to range_length
  // bytes, and a 200 (a server that ignored the Range) has its first `range_offset` bytes
  // skipped and the next range_length kept.
  std::size_t max_body = 1 << 20;
  std::uint64_t range_offset = 0;
  std::uint64_t range_length = 0;
  bool ranged = false;
};

struct HttpResponse {
  long status = 0;  // 0 when no response arrived
  std::string body;
  std::string etag;           // as sent, quotes included
  std::string last_modified;  // as sent (an HTTP date)
  std::int64_t content_length = -1;

  // Set when the exchange failed before a complete response (status may still be set).
  bool failed = false;
  bool transient = false;  // a failure worth retrying (timeouts, connection errors)
  bool body_too_large = false;
  bool source_read_failed = false;  // the file being uploaded could not be read
  std::string error;                // libcurl's description, for the log
};

// Performs `request`, signed with `credentials`. Never throws for network or HTTP failures
// (they are in the response); throws std::bad_alloc only.
HttpResponse perform_http(const HttpRequest& request, const S3Credentials& credentials,
                          const HttpTimeouts& timeouts);

// SHA-256 of `data` as lower-case hex; MD5 of `data` as base64 (Content-MD5).
std::string sha256_hex(std::string_view data);
std::string md5_base64(std::string_view data);

}  // namespace basalt::files
