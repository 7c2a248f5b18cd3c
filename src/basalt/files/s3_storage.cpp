#include "basalt/files/s3_storage.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <random>
#include <thread>

#include "basalt/files/s3_xml.hpp"

namespace basalt::files {
namespace {

constexpr std::uint64_t kMaxParts = 10'000;                      // S3's limit per upload
constexpr std::size_t kDeleteBatch = 1000;                       // S3's limit per DeleteObjects
constexpr std::size_t kMaxListedKeys = std::size_t{50'000'000};  // a runaway listing stops here

double random_unit() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

// An open file descriptor, closed on every path.
class FileHandle {
 public:
  explicit FileHandle(const std::filesystem::path& path)
      : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ < 0) {
      throw StorageError("cannot open " + path.string() + ": " + std::strerror(errno));
    }
  }
  ~FileHandle() { ::close(fd_); }
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;
  int fd() const noexcept { return fd_; }

 private:
  int fd_;
};

std::string content_type_header(std::string_view content_type) {
  return "Content-Type: " +
         std::string(content_type.empty() ? "application/octet-stream" : content_type);
}

// S3 may answer CompleteMultipartUpload with 200 and an <Error> body.
// A request that did what it asked: a complete 2xx answer (S3 answers 200, some compatible
// servers 201 or 204 for writes).
bool succeeded(const HttpResponse& response) {
  return !response.failed && response.status >= 200 && response.status < 300;
}

bool has_error_element(std::string_view xml) {
  return !xml_elements(xml, "Error").empty();
}

}  // namespace

S3Storage::S3Storage(S3Config config, S3Options options)
    : config_(std::move(config)), options_(std::move(options)) {
  if (config_.bucket.empty()) throw StorageError("S3 bucket is not set");
  if (config_.region.empty()) throw StorageError("S3 region is not set");
  if (options_.retry.max_attempts == 0) options_.retry.max_attempts = 1;
  if (options_.part_size == 0 || options_.list_page_size == 0) {
    throw StorageError("S3 part size and list page size must be positive");
  }
  const std::string endpoint = config_.endpoint.empty()
                                   ? "https://s3." + config_.region + ".amazonaws.com"
                                   : config_.endpoint;
  endpoint_ = parse_s3_endpoint(endpoint);
  credentials_ = {config_.access_key, config_.secret, config_.region};
}

std::string S3Storage::url(std::string_view key, const QueryParams& query) const {
  return s3_url(endpoint_, config_.bucket, config_.force_path_style, key, query);
}

HttpResponse S3Storage::send(const HttpRequest& request) const {
  for (unsigned attempt = 1;; ++attempt) {
    HttpResponse response = perform_http(request, credentials_, options_.timeouts);
    const bool retry = response.failed ? response.transient : retryable_status(response.status);
    if (!retry || attempt >= options_.retry.max_attempts) return response;
    std::this_thread::sleep_for(retry_delay(options_.retry, attempt, random_unit()));
  }
}

void S3Storage::fail(std::string_view operation, std::string_view key,
                     const HttpResponse& response) const {
  std::string message = "S3 " + std::string(operation) + " " + config_.bucket + "/" +
                        std::string(key) + " at " + endpoint_.host + " failed: ";
  if (response.failed) {
    message += response.error;
  } else {
    message += "HTTP " + std::to_string(response.status);
  }
  const std::string summary = s3_error_summary(response.body);
  if (!summary.empty()) message += " (" + summary + ")";
  throw StorageError(message, !response.failed && response.status == 404);
}

void S3Storage::put_file(std::string_view key, const std::filesystem::path& source,
                         std::string_view content_type) {
  check_key(key);
  FileHandle file(source);
  struct stat info {};
  if (::fstat(file.fd(), &info) != 0) {
    throw StorageError("cannot stat " + source.string() + ": " + std::strerror(errno));
  }
  const auto size = static_cast<std::uint64_t>(info.st_size);
  if (size > options_.multipart_threshold) {
    put_multipart(key, file.fd(), size, content_type);
  } else {
    put_single(key, file.fd(), size, content_type);
  }
}

void S3Storage::put_single(std::string_view key, int fd, std::uint64_t size,
                           std::string_view content_type) {
  HttpRequest request;
  request.method = "PUT";
  request.url = url(key);
  request.headers = {content_type_header(content_type)};
  request.file_fd = fd;
  request.file_length = size;
  request.long_transfer = true;
  const HttpResponse response = send(request);
  if (!succeeded(response)) fail("PUT", key, response);
}

void S3Storage::put_bytes(std::string_view key, std::string_view data,
                          std::string_view content_type) {
  check_key(key);
  HttpRequest request;
  request.method = "PUT";
  request.url = url(key);
  request.headers = {content_type_header(content_type)};
  request.memory = data;
  const HttpResponse response = send(request);
  if (!succeeded(response)) fail("PUT", key, response);
}

void S3Storage::put_multipart(std::string_view key, int fd, std::uint64_t size,
                              std::string_view content_type) {
  HttpRequest create;
  create.method = "POST";
  create.url = url(key, {{"uploads", ""}});
  create.headers = {content_type_header(content_type)};
  create.max_body = options_.max_xml_bytes;
  const HttpResponse created = send(create);
  if (!succeeded(created)) fail("CreateMultipartUpload", key, created);
  const std::string upload_id = xml_text(created.body, "UploadId").value_or("");
  if (upload_id.empty()) {
    throw StorageError("S3 CreateMultipartUpload " + config_.bucket + "/" + std::string(key) +
                       " returned no UploadId");
  }

  try {
    const std::uint64_t part_size =
        std::max(options_.part_size, (size + kMaxParts - 1) / kMaxParts);
    std::string complete = "<CompleteMultipartUpload>";
    std::uint64_t part = 1;
    for (std::uint64_t offset = 0; offset < size; offset += part_size, ++part) {
      HttpRequest upload;
      upload.method = "PUT";
      upload.url = url(key, {{"partNumber", std::to_string(part)}, {"uploadId", upload_id}});
      upload.file_fd = fd;
      upload.file_offset = offset;
      upload.file_length = std::min(part_size, size - offset);
      upload.long_transfer = true;
      const HttpResponse uploaded = send(upload);
      if (!succeeded(uploaded)) fail("UploadPart", key, uploaded);
      if (uploaded.etag.empty()) {
        throw StorageError("S3 UploadPart " + config_.bucket + "/" + std::string(key) +
                           " returned no ETag");
      }
      complete += "<Part><PartNumber>" + std::to_string(part) + "</PartNumber><ETag>" +
                  xml_escape(uploaded.etag) + "</ETag></Part>";
    }
    complete += "</CompleteMultipartUpload>";

    HttpRequest finish;
    finish.method = "POST";
    finish.url = url(key, {{"uploadId", upload_id}});
    finish.headers = {"Content-Type: application/xml"};
    finish.memory = complete;
    finish.max_body = options_.max_xml_bytes;
    // Completing can take a while for large objects, and S3 may report a failure inside a 200.
    finish.long_transfer = true;
    const HttpResponse finished = send(finish);
    if (!succeeded(finished) || has_error_element(finished.body)) {
      fail("CompleteMultipartUpload", key, finished);
    }
  } catch (...) {
    abort_multipart(key, upload_id);  // nothing partial stays behind, nothing becomes visible
    throw;
  }
}

void S3Storage::abort_multipart(std::string_view key, const std::string& upload_id) const noexcept {
  try {
    HttpRequest abort;
    abort.method = "DELETE";
    abort.url = url(key, {{"uploadId", upload_id}});
    const HttpResponse response = send(abort);
    if (response.failed ||
        (response.status != 204 && response.status != 200 && response.status != 404)) {
      spdlog::warn(
          "S3 AbortMultipartUpload {}/{} failed (status {}): its parts stay until a "
          "bucket lifecycle rule removes them",
          config_.bucket, key, response.status);
    }
  } catch (const std::exception& error) {
    spdlog::warn("S3 AbortMultipartUpload {}/{} failed: {}", config_.bucket, key, error.what());
  }
}

std::optional<ObjectInfo> S3Storage::stat(std::string_view key) {
  check_key(key);
  HttpRequest request;
  request.method = "HEAD";
  request.url = url(key);
  const HttpResponse response = send(request);
  if (!response.failed && response.status == 404) return std::nullopt;
  if (response.failed || response.status != 200) fail("HEAD", key, response);
  ObjectInfo info;
  info.size = response.content_length > 0 ? static_cast<std::uint64_t>(response.content_length) : 0;
  const time_t modified = curl_getdate(response.last_modified.c_str(), nullptr);
  info.modified = std::chrono::system_clock::from_time_t(modified > 0 ? modified : 0);
  info.etag = response.etag;
  if (info.etag.empty()) {  // every S3 sends one; a stand-in that still changes with the object
    info.etag = "\"" + std::to_string(info.size) + "-" + std::to_string(modified) + "\"";
  }
  return info;
}

std::string S3Storage::read_range(std::string_view key, std::uint64_t offset,
                                  std::uint64_t length) {
  check_key(key);
  if (length == 0) {
    if (!stat(key)) {
      throw StorageError("S3 object " + config_.bucket + "/" + std::string(key) + " not found",
                         true);
    }
    return {};
  }
  const std::uint64_t last =
      offset + std::min(length, std::numeric_limits<std::uint64_t>::max() - offset) - 1;
  HttpRequest request;
  request.method = "GET";
  request.url = url(key);
  request.headers = {"Range: bytes=" + std::to_string(offset) + "-" + std::to_string(last)};
  request.ranged = true;
  request.range_offset = offset;
  request.range_length = last - offset + 1;
  request.long_transfer = true;
  HttpResponse response = send(request);
  if (!response.failed && response.status == 416) {  // at or past the end (or an empty object)
    return {};
  }
  if (response.failed || (response.status != 206 && response.status != 200)) {
    fail("GET", key, response);
  }
  return std::move(response.body);
}

void S3Storage::remove(std::string_view key) {
  check_key(key);
  HttpRequest request;
  request.method = "DELETE";
  request.url = url(key);
  const HttpResponse response = send(request);
  if (!response.failed &&
      (response.status == 204 || response.status == 200 || response.status == 404)) {
    return;
  }
  fail("DELETE", key, response);
}

template <typename OnPage>
void S3Storage::for_each_page(std::string_view prefix, OnPage&& page) {
  if (!prefix.empty()) check_key(prefix);
  const std::string full_prefix = prefix.empty() ? std::string() : std::string(prefix) + "/";
  std::string token;
  std::size_t listed = 0;
  while (true) {
    QueryParams query = {{"list-type", "2"}, {"max-keys", std::to_string(options_.list_page_size)}};
    if (!full_prefix.empty()) query.emplace_back("prefix", full_prefix);
    if (!token.empty()) query.emplace_back("continuation-token", token);
    HttpRequest request;
    request.method = "GET";
    request.url = url("", query);
    request.max_body = options_.max_xml_bytes;
    const HttpResponse response = send(request);
    if (!succeeded(response)) fail("ListObjectsV2", full_prefix, response);
    ListPage result = parse_list_page(response.body);
    listed += result.keys.size();
    if (listed > kMaxListedKeys) {
      throw StorageError("S3 listing of " + config_.bucket + "/" + full_prefix + " exceeds " +
                         std::to_string(kMaxListedKeys) + " keys");
    }
    page(std::move(result.keys));
    if (!result.truncated) return;
    if (result.next_token.empty() || result.next_token == token) {
      throw StorageError("S3 listing of " + config_.bucket + "/" + full_prefix +
                         " is truncated without a new continuation token");
    }
    token = std::move(result.next_token);
  }
}

std::vector<std::string> S3Storage::list(std::string_view prefix) {
  std::vector<std::string> keys;
  for_each_page(prefix, [&](std::vector<std::string> page) {
    keys.insert(keys.end(), std::make_move_iterator(page.begin()),
                std::make_move_iterator(page.end()));
  });
  return keys;
}

void S3Storage::remove_prefix(std::string_view prefix) {
  check_key(prefix);
  // Deleting what a page listed does not disturb the continuation token (it resumes after the
  // last listed key), so each page is deleted as soon as it arrives: memory stays one page.
  for_each_page(prefix, [&](std::vector<std::string> keys) {
    for (std::size_t start = 0; start < keys.size(); start += kDeleteBatch) {
      const auto end = std::min(keys.size(), start + kDeleteBatch);
      delete_batch({keys.begin() + static_cast<std::ptrdiff_t>(start),
                    keys.begin() + static_cast<std::ptrdiff_t>(end)});
    }
  });
}

void S3Storage::delete_batch(const std::vector<std::string>& keys) {
  if (keys.empty()) return;
  if (delete_objects_supported_.load(std::memory_order_relaxed)) {
    std::string body = "<Delete><Quiet>true</Quiet>";
    for (const std::string& key : keys)
      body += "<Object><Key>" + xml_escape(key) + "</Key></Object>";
    body += "</Delete>";
    HttpRequest request;
    request.method = "POST";
    request.url = url("", {{"delete", ""}});
    // S3 requires an integrity header on DeleteObjects; Content-MD5 is the one every
    // S3-compatible server knows.
    request.headers = {"Content-Type: application/xml", "Content-MD5: " + md5_base64(body)};
    request.memory = body;
    request.max_body = options_.max_xml_bytes;
    const HttpResponse response = send(request);
    if (!response.failed && response.status == 501) {
      delete_objects_supported_.store(false, std::memory_order_relaxed);
    } else {
      if (!succeeded(response)) fail("DeleteObjects", keys.front(), response);
      // Quiet mode lists only the keys that could not be deleted, each in an <Error>.
      const std::vector<std::string_view> errors = xml_elements(response.body, "Error");
      if (!errors.empty()) {
        throw StorageError("S3 DeleteObjects in " + config_.bucket + " failed for " +
                           std::to_string(errors.size()) + " key(s), first " +
                           xml_text(errors.front(), "Key").value_or("?") + " (" +
                           s3_error_summary(errors.front()) + ")");
      }
      return;
    }
  }
  for (const std::string& key : keys) remove(key);
}

std::string test_s3_connection(const S3Config& config, const S3Options& options) {
  std::unique_ptr<S3Storage> storage;
  try {
    storage = std::make_unique<S3Storage>(config, options);
  } catch (const StorageError& error) {
    return std::string("failed to initialize the S3 filesystem: ") + error.what();
  }
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string prefix = "pb_settings_test_";
  for (int i = 0; i < 5; ++i) {
    prefix.push_back(kAlphabet[static_cast<std::size_t>(random_unit() * 36) % 36]);
  }
  try {
    storage->put_bytes(prefix + "/test.txt", "test", "text/plain; charset=utf-8");
  } catch (const StorageError& error) {
    return std::string("failed to upload a test file: ") + error.what();
  }
  try {
    storage->remove_prefix(prefix);
  } catch (const StorageError& error) {
    return std::string("failed to delete a test file: ") + error.what();
  }
  return {};
}

}  // namespace basalt::files
