// S3Storage: the Storage backend over an S3-compatible bucket (`settings.s3`; docs/files.md,
// "S3 storage"). Objects live at `<bucket>/<key>`, addressed path-style
// (`endpoint/bucket/key`, forcePathStyle) or virtual-hosted (`bucket.endpoint/key`).
//
//   put_file     one streamed PUT up to `multipart_threshold`; above it a multipart upload
//                (parts streamed from the file, completed only when every part is in, aborted on
//                any failure), so a reader sees the old object or the whole new one
//   stat         HEAD (Content-Length, Last-Modified, ETag)
//   read_range   GET with Range
//   remove       DELETE (a missing object is fine)
//   list         ListObjectsV2, page by page with continuation tokens
//   remove_prefix  list + DeleteObjects (≤ 1000 keys per request, Content-MD5), or one DELETE
//                per key on servers without DeleteObjects
//
// Requests are signed by libcurl (s3_http.hpp). Failures that may pass (5xx, 429, timeouts,
// connection errors) are tried again with exponential backoff and jitter, up to
// `retry.max_attempts`; other 4xx are not (s3_retry.hpp). Errors are StorageError with the
// operation, bucket, key and S3's Code and Message — never the access key's secret.
//
// Thread-safe: the object is immutable after construction; each call uses its thread's libcurl
// handle. Calls block: run them on the blocking pool.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "basalt/files/s3_http.hpp"
#include "basalt/files/s3_request_target.hpp"
#include "basalt/files/s3_retry.hpp"
#include "basalt/files/storage.hpp"

namespace basalt::files {

// The connection settings, as PocketBase names them in `settings.s3` / `backups.s3`.
struct S3Config {
  std::string bucket;
  std::string region;
  std::string endpoint;  // "" = AWS (https://s3.<region>.amazonaws.com)
  std::string access_key;
  std::string secret;
  bool force_path_style = false;

  friend bool operator==(const S3Config&, const S3Config&) = default;
};

struct S3Options {
  // Files larger than this go up as a multipart upload, in parts of `part_size` (grown when a
  // file would need more than S3's 10,000 parts). S3 refuses parts under 5 MiB but the last.
  std::uint64_t multipart_threshold = std::uint64_t{32} << 20;
  std::uint64_t part_size = std::uint64_t{16} << 20;
  unsigned list_page_size = 1000;  // max-keys of one ListObjectsV2 page (S3's maximum)
  std::size_t max_xml_bytes = std::size_t{16} << 20;  // one ListObjectsV2 page or other reply
  RetryPolicy retry;
  HttpTimeouts timeouts;
};

class S3Storage final : public Storage {
 public:
  // Throws StorageError for a configuration that cannot work (no bucket or region, an endpoint
  // that is not an http(s) URL). Does no I/O.
  explicit S3Storage(S3Config config, S3Options options = {});

  std::string_view kind() const noexcept override { return "s3"; }
  void put_file(std::string_view key, const std::filesystem::path& source,
                std::string_view content_type) override;
  std::optional<ObjectInfo> stat(std::string_view key) override;
  std::string read_range(std::string_view key, std::uint64_t offset, std::uint64_t length) override;
  std::optional<std::filesystem::path> local_path(std::string_view) override {
    return std::nullopt;
  }
  void remove(std::string_view key) override;
  void remove_prefix(std::string_view prefix) override;
  std::vector<std::string> list(std::string_view prefix) override;

  // Stores `data` under `key` with one PUT (small objects: the settings' connection test).
  void put_bytes(std::string_view key, std::string_view data, std::string_view content_type);

 private:
  std::string url(std::string_view key, const QueryParams& query = {}) const;
  // Sends `request`, trying again while the failure is retryable (s3_retry.hpp).
  HttpResponse send(const HttpRequest& request) const;
  [[noreturn]] void fail(std::string_view operation, std::string_view key,
                         const HttpResponse& response) const;

  void put_single(std::string_view key, int fd, std::uint64_t size, std::string_view content_type);
  void put_multipart(std::string_view key, int fd, std::uint64_t size,
                     std::string_view content_type);
  void abort_multipart(std::string_view key, const std::string& upload_id) const noexcept;
  // Calls `page(keys)` for each ListObjectsV2 page of keys under `prefix` + "/".
  template <typename OnPage>
  void for_each_page(std::string_view prefix, OnPage&& page);
  void delete_batch(const std::vector<std::string>& keys);

  S3Config config_;
  S3Options options_;
  S3Endpoint endpoint_;
  S3Credentials credentials_;
  // Cleared once a server answers DeleteObjects with 501: from then on one DELETE per key.
  std::atomic<bool> delete_objects_supported_{true};
};

// PocketBase's connection check (POST /api/settings/test/s3): stores a 4-byte object under a
// fresh `pb_settings_test_<random>/` prefix, then removes that prefix (which lists and
// deletes). Returns "" on success, else PocketBase's wording: "failed to initialize the S3
// filesystem: …", "failed to upload a test file: …" or "failed to delete a test file: …".
std::string test_s3_connection(const S3Config& config, const S3Options& options);

}  // namespace basalt::files
