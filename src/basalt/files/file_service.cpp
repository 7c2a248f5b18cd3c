#include "basalt/files/file_service.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>

#include "basalt/files/mime_type.hpp"
#include "basalt/files/text_charset.hpp"

namespace basalt::files {
namespace {

namespace fs = std::filesystem;

// A temporary file removed when it goes out of scope.
class TempFile {
 public:
  explicit TempFile(const fs::path& dir, std::string_view suffix) {
    static thread_local std::mt19937_64 random{std::random_device{}()};
    path_ = dir / ("thumb-" + std::to_string(random()) + std::string(suffix));
  }
  ~TempFile() {
    std::error_code ec;
    fs::remove(path_, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const fs::path& path() const noexcept { return path_; }

 private:
  fs::path path_;
};

}  // namespace

OpenedObject& OpenedObject::operator=(OpenedObject&& other) noexcept {
  if (this != &other) {
    info = std::move(other.info);
    content_type = std::move(other.content_type);
    set_fd(std::exchange(other.fd_, -1));
  }
  return *this;
}

OpenedObject::~OpenedObject() {
  set_fd(-1);
}

void OpenedObject::set_fd(int fd) noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

FileService::FileService(std::shared_ptr<Storage> storage, FileServiceOptions options)
    : FileService(StorageSource([storage = std::move(storage)] { return storage; }),
                  std::move(options)) {}

FileService::FileService(StorageSource storage, FileServiceOptions options)
    : storage_(std::move(storage)),
      options_(std::move(options)),
      io_({options_.io_threads, options_.io_queue, metrics::Pool::kFiles}),
      thumbs_({options_.thumb_threads, options_.thumb_queue, metrics::Pool::kFiles}) {
  if (!options_.temp_dir.empty()) {
    // Leftovers of a process that stopped mid-generation are of no use to anyone.
    std::error_code ec;
    fs::remove_all(options_.temp_dir, ec);
    fs::create_directories(options_.temp_dir);
  }
}

FileService::~FileService() {
  shutdown();
}

std::shared_ptr<Storage> FileService::backend() const {
  return storage_ ? storage_() : nullptr;
}

void FileService::shutdown() {
  io_.shutdown();
  thumbs_.shutdown();
}

OpenedObject FileService::open_blocking(Storage& storage, const std::string& key) {
  OpenedObject object;
  std::optional<ObjectInfo> info = storage.stat(key);
  if (!info) return object;
  object.info = std::move(*info);
  std::string head;
  if (std::optional<fs::path> path = storage.local_path(key)) {
    // O_NOFOLLOW: a link planted in the storage directory is not followed out of it.
    const int fd = ::open(path->c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
      if (errno == ENOENT) return OpenedObject();
      throw StorageError("cannot open " + path->string() + ": " + std::strerror(errno));
    }
    object.set_fd(fd);
    struct ::stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return OpenedObject();
    // The size of the file actually open: what the response announces and sends.
    object.info.size = static_cast<std::uint64_t>(st.st_size);
    head.resize(std::min<std::uint64_t>(kSniffBytes, object.info.size));
    const ssize_t got = ::pread(fd, head.data(), head.size(), 0);
    head.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
  } else if (object.info.size > 0) {
    // Only bytes the object has: a ranged GET of an empty object is an error to S3 (416), and
    // some S3 stand-ins answer it with a broken 206 (s3rver: "bytes 0-0/0" and no body).
    head = storage.read_range(key, 0, std::min<std::uint64_t>(kSniffBytes, object.info.size));
  }
  object.content_type = served_type_with_charset(sniff_content_type(head), head);
  return object;
}

boost::asio::awaitable<std::optional<OpenedObject>> FileService::open(
    std::shared_ptr<Storage> backend, std::string key) {
  OpenedObject object = co_await io_.run([&backend, &key] { return open_blocking(*backend, key); });
  if (object.content_type.empty()) co_return std::nullopt;  // nothing there
  co_return std::optional<OpenedObject>(std::move(object));
}

boost::asio::awaitable<std::string> FileService::read(std::shared_ptr<Storage> backend,
                                                      std::string key, std::uint64_t offset,
                                                      std::size_t max) {
  co_return co_await io_.run(
      [&backend, &key, offset, max] { return backend->read_range(key, offset, max); });
}

void FileService::generate_blocking(Storage& storage, const std::string& original,
                                    const std::string& thumb, const ThumbSize& size,
                                    const std::string& content_type) {
  if (storage.stat(thumb)) return;  // made by another process or call meanwhile
  std::optional<TempFile> copy;
  std::optional<fs::path> source = storage.local_path(original);
  if (!source) {
    // A remote original is decoded from a bounded local copy, read in chunks.
    const std::optional<ObjectInfo> info = storage.stat(original);
    if (!info) throw StorageError("no original " + original, true);
    if (info->size > options_.max_thumb_source_bytes) {
      throw ThumbnailError("original of " + std::to_string(info->size) + " bytes is too large");
    }
    copy.emplace(options_.temp_dir, ".src");
    std::ofstream out(copy->path(), std::ios::binary | std::ios::trunc);
    constexpr std::uint64_t kChunk = 1 << 20;
    for (std::uint64_t offset = 0; offset < info->size; offset += kChunk) {
      const std::string chunk = storage.read_range(original, offset, kChunk);
      if (chunk.empty()) break;
      out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    }
    if (!out.flush()) throw StorageError("cannot write " + copy->path().string());
    source = copy->path();
  }
  TempFile made(options_.temp_dir, ".thumb");
  const std::string thumb_type =
      make_thumbnail(*source, content_type, size, made.path(), options_.max_thumb_pixels);
  storage.put_file(thumb, made.path(), thumb_type);
}

boost::asio::awaitable<bool> FileService::ensure_thumbnail(std::shared_ptr<Storage> backend,
                                                           std::string original, std::string thumb,
                                                           ThumbSize size,
                                                           std::string content_type) {
  try {
    auto generate = [&] { generate_blocking(*backend, original, thumb, size, content_type); };
    auto on_pool = [&]() -> boost::asio::awaitable<void> { co_await thumbs_.run(generate); };
    // Named, not a temporary of the co_await expression (GCC 12 destroys those too early).
    boost::asio::awaitable<void> flight = flights_.run(thumb, on_pool);
    co_await std::move(flight);
    co_return true;
  } catch (const std::exception& error) {
    spdlog::warn("files: thumbnail {} not made, serving the original: {}", thumb, error.what());
  }
  co_return false;
}

}  // namespace basalt::files
