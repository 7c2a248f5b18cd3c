#include "basalt/files/s3_http.hpp"

#include "basalt/core/span_scope.hpp"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>

namespace basalt::files {
namespace {

constexpr std::size_t kErrorBodyCap = 64 * 1024;
constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw std::bad_alloc();
  });
}

struct EasyDeleter {
  void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};

// This thread's handle (see the header: handles are never shared between threads).
CURL* thread_handle() {
  init_curl_once();
  thread_local std::unique_ptr<CURL, EasyDeleter> handle;
  if (handle) {
    curl_easy_reset(handle.get());  // keeps the connection and DNS caches
  } else {
    handle.reset(curl_easy_init());
    if (!handle) throw std::bad_alloc();
  }
  return handle.get();
}

// The upload source: a file slice read with pread, or a memory buffer.
struct Source {
  int fd = -1;
  std::uint64_t start = 0;
  std::uint64_t length = 0;
  std::string_view memory;
  std::uint64_t position = 0;  // relative to start
  bool read_failed = false;
};

size_t read_source(char* buffer, size_t size, size_t count, void* user) {
  auto* source = static_cast<Source*>(user);
  const std::uint64_t left = source->length - source->position;
  const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(size * count, left));
  if (want == 0) return 0;
  if (source->fd < 0) {
    std::memcpy(buffer, source->memory.data() + source->position, want);
    source->position += want;
    return want;
  }
  while (true) {
    const ssize_t got =
        ::pread(source->fd, buffer, want, static_cast<off_t>(source->start + source->position));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {  // an error, or the file shrank under us
      source->read_failed = true;
      return CURL_READFUNC_ABORT;
    }
    source->position += static_cast<std::uint64_t>(got);
    return static_cast<size_t>(got);
  }
}

// libcurl rewinds the body when it must send the request again on a fresh connection.
int seek_source(void* user, curl_off_t offset, int origin) {
  auto* source = static_cast<Source*>(user);
  if (origin != SEEK_SET || offset < 0 || static_cast<std::uint64_t>(offset) > source->length) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  source->position = static_cast<std::uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

struct Sink {
  CURL* handle = nullptr;
  const HttpRequest* request = nullptr;
  HttpResponse* response = nullptr;
  std::uint64_t skipped = 0;
  // The wanted range, or the start of an error body, is complete: the rest is not needed.
  bool stopped_early = false;
};

size_t write_body(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::size_t total = size * count;
  std::string_view chunk(data, total);
  long status = 0;
  curl_easy_getinfo(sink->handle, CURLINFO_RESPONSE_CODE, &status);
  std::string& body = sink->response->body;
  const HttpRequest& request = *sink->request;

  if (status < 200 || status >= 300) {  // an error body: keep its start for Code and Message
    const std::size_t room = kErrorBodyCap - std::min(kErrorBodyCap, body.size());
    body.append(chunk.substr(0, std::min(room, chunk.size())));
    if (chunk.size() <= room) return total;
    sink->stopped_early = true;  // enough to explain the error; the rest is not read
    return 0;
  }
  if (request.ranged) {
    if (status == 200 && sink->skipped < request.range_offset) {
      const auto skip = static_cast<std::size_t>(
          std::min<std::uint64_t>(request.range_offset - sink->skipped, chunk.size()));
      sink->skipped += skip;
      chunk.remove_prefix(skip);
    }
    const std::uint64_t room =
        request.range_length - std::min<std::uint64_t>(request.range_length, body.size());
    if (chunk.size() <= room) {
      body.append(chunk);
      return total;
    }
    // The range is complete; stop the transfer (a 200 would send the whole object).
    body.append(chunk.substr(0, static_cast<std::size_t>(room)));
    sink->stopped_early = true;
    return 0;
  }
  if (body.size() + chunk.size() > request.max_body) {
    sink->response->body_too_large = true;
    return 0;  // aborts the transfer
  }
  body.append(chunk);
  return total;
}

bool header_is(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
  }
  return true;
}

std::string_view header_value(std::string_view line, std::size_t name_size) {
  std::string_view value = line.substr(name_size + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  return value;
}

size_t read_header(char* data, size_t size, size_t count, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  const std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {  // a new response (after 100 Continue): start over
    response->etag.clear();
    response->last_modified.clear();
  } else if (header_is(line, "etag")) {
    response->etag = header_value(line, 4);
  } else if (header_is(line, "last-modified")) {
    response->last_modified = header_value(line, 13);
  }
  return size * count;
}

bool transient_error(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

void digest(std::string_view data, const EVP_MD* type, unsigned& size,
            unsigned char (&out)[EVP_MAX_MD_SIZE]) {
  if (EVP_Digest(data.data(), data.size(), out, &size, type, nullptr) != 1) {
    throw std::bad_alloc();
  }
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char raw[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  digest(data, EVP_sha256(), size, raw);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < size; ++i) {
    out.push_back(kHex[raw[i] >> 4]);
    out.push_back(kHex[raw[i] & 0x0F]);
  }
  return out;
}

std::string md5_base64(std::string_view data) {
  unsigned char raw[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  digest(data, EVP_md5(), size, raw);
  unsigned char encoded[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  const int length = EVP_EncodeBlock(encoded, raw, static_cast<int>(size));
  return std::string(reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(length));
}

HttpResponse perform_http(const HttpRequest& request, const S3Credentials& credentials,
                          const HttpTimeouts& timeouts) {
  CURL* curl = thread_handle();
  HttpResponse response;

  const bool file_body = request.file_fd >= 0;
  Source source;
  source.fd = request.file_fd;
  source.start = request.file_offset;
  source.length = file_body ? request.file_length : request.memory.size();
  source.memory = request.memory;

  std::unique_ptr<curl_slist, SlistDeleter> headers;
  auto add_header = [&](const std::string& line) {
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (!next) throw std::bad_alloc();
    headers.release();
    headers.reset(next);
  };
  for (const std::string& line : request.headers) add_header(line);
  // A client span for the call when the request it serves is sampled, and W3C traceparent
  // naming it (or the request's span id, unsampled) so the store's traces join the request's.
  core::SpanScope span;
  if (span.start("S3 " + request.method, core::SpanKind::kClient)) {
    span.set("http.request.method", request.method);
  }
  for (const std::string& line : core::outgoing_trace_headers()) add_header(line);
  // libcurl signs this header's value as the payload hash (it does not hash bodies it streams).
  add_header("x-amz-content-sha256: " +
             (file_body ? std::string(kUnsignedPayload) : sha256_hex(request.memory)));

  const std::string sigv4 = "aws:amz:" + credentials.region + ":s3";
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // several threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4.c_str());
  curl_easy_setopt(curl, CURLOPT_USERNAME, credentials.access_key.c_str());
  curl_easy_setopt(curl, CURLOPT_PASSWORD, credentials.secret.c_str());
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeouts.connect.count()));
  if (!request.long_transfer) {
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeouts.total.count()));
  }
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, timeouts.low_speed_bytes);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME,
                   static_cast<long>(timeouts.low_speed_time.count()));

  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method == "PUT") {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_source);
    curl_easy_setopt(curl, CURLOPT_READDATA, &source);
    curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, seek_source);
    curl_easy_setopt(curl, CURLOPT_SEEKDATA, &source);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(source.length));
  } else if (request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    // Never a null pointer: libcurl would then read the body from a read callback.
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.memory.empty() ? "" : request.memory.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.memory.size()));
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());

  Sink sink{curl, &request, &response};
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, read_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);
  char error_buffer[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);

  const CURLcode code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  if (span.active()) {
    span.set("http.response.status_code", static_cast<std::int64_t>(response.status));
    if (code != CURLE_OK || response.status >= 500) span.set_error();
  }
  curl_off_t length = -1;
  if (curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK) {
    response.content_length = length;
  }
  // The handle keeps no pointer to this frame's buffers past this call.
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);

  if (code == CURLE_OK || (code == CURLE_WRITE_ERROR && sink.stopped_early)) return response;
  response.failed = true;
  response.source_read_failed = source.read_failed;
  response.transient = !source.read_failed && !response.body_too_large && transient_error(code);
  response.error = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
  if (source.read_failed) response.error = "reading the source file failed";
  if (response.body_too_large) response.error = "response body over the limit";
  return response;
}

}  // namespace basalt::files
