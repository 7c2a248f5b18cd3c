// FileService: the blocking side of serving files (docs/files.md, "Serving" and "Thumbnails"):
// opening stored objects, reading chunks of remote ones, and making thumbnails once. The REST
// handler (api/file_handlers.cpp) decides who may see what and writes HTTP; this class only
// touches the Storage.
//
// Threads: two pools of its own, because their work differs from the shared blocking pool's
// (password hashing) and must not delay it or each other -
//   io (2 threads)     Storage calls: stat, open, read the first bytes, remote chunks. Short.
//   thumbs (1 thread)  libvips decoding and encoding: 10s to 100s of ms of CPU and up to one
//                      decoded image of memory per thread; the thread count is the bound.
// A coroutine that awaits a pool resumes on its own worker thread. Queues are bounded; past
// them the call fails with 503 (core::BlockingPool).
//
// Thread safety: every member may be called from any worker thread at once.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "basalt/core/blocking_pool.hpp"
#include "basalt/files/single_flight.hpp"
#include "basalt/files/storage.hpp"
#include "basalt/files/thumb_size.hpp"
#include "basalt/files/thumbnailer.hpp"

namespace basalt::files {

struct FileServiceOptions {
  unsigned io_threads = 2;
  std::size_t io_queue = 1024;
  unsigned thumb_threads = 1;
  std::size_t thumb_queue = 64;
  std::uint64_t max_thumb_pixels = kDefaultMaxThumbSourcePixels;
  // A remote original is copied to a temporary file to be decoded; past this it is not.
  std::uint64_t max_thumb_source_bytes = 64ull << 20;
  // Temporary files of thumbnail generation (emptied at start).
  std::filesystem::path temp_dir;
};

// A stored object opened for serving.
class OpenedObject {
 public:
  OpenedObject() = default;
  OpenedObject(OpenedObject&& other) noexcept
      : info(std::move(other.info)),
        content_type(std::move(other.content_type)),
        fd_(std::exchange(other.fd_, -1)) {}
  OpenedObject& operator=(OpenedObject&& other) noexcept;
  OpenedObject(const OpenedObject&) = delete;
  OpenedObject& operator=(const OpenedObject&) = delete;
  ~OpenedObject();

  ObjectInfo info;           // size (of the open file when local), modification time, ETag
  std::string content_type;  // detected from the first bytes (mime_type.hpp)

  // The open file of a local backend (sendfile); -1 for a remote one. release() hands it over.
  int fd() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }
  void set_fd(int fd) noexcept;

 private:
  int fd_ = -1;
};

class FileService {
 public:
  FileService(StorageSource storage, FileServiceOptions options);
  // A fixed backend (may be null: then there is none).
  FileService(std::shared_ptr<Storage> storage, FileServiceOptions options);
  ~FileService();  // shutdown()
  FileService(const FileService&) = delete;
  FileService& operator=(const FileService&) = delete;

  // The backend for one operation; null when none is configured (the routes answer 404).
  std::shared_ptr<Storage> backend() const;

  // Opens `key` for serving; nullopt when there is no such object.
  boost::asio::awaitable<std::optional<OpenedObject>> open(std::shared_ptr<Storage> backend,
                                                           std::string key);

  // Bytes [offset, offset + max) of `key` (a remote body's chunk).
  boost::asio::awaitable<std::string> read(std::shared_ptr<Storage> backend, std::string key,
                                           std::uint64_t offset, std::size_t max);

  // Makes the thumbnail `thumb` of the image `original` (of `content_type`) at `size` unless it
  // exists; concurrent calls for one thumb make it once. False when it could not be made (the
  // reason is logged): the caller serves the original.
  boost::asio::awaitable<bool> ensure_thumbnail(std::shared_ptr<Storage> backend,
                                                std::string original, std::string thumb,
                                                ThumbSize size, std::string content_type);

  // Fails queued work with 503 and joins the pools' threads. Call after the HTTP workers
  // stopped and before their io_contexts are destroyed (core::BlockingPool, invariant 4).
  void shutdown();

 private:
  static OpenedObject open_blocking(Storage& storage, const std::string& key);
  void generate_blocking(Storage& storage, const std::string& original, const std::string& thumb,
                         const ThumbSize& size, const std::string& content_type);

  StorageSource storage_;
  FileServiceOptions options_;
  core::BlockingPool io_;
  core::BlockingPool thumbs_;
  SingleFlight flights_;
};

}  // namespace basalt::files
