#include "basalt/files/local_storage.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "basalt/files/file_names.hpp"

namespace basalt::files {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& what, int error) {
  throw StorageError(what + ": " + std::strerror(error), error == ENOENT);
}

// Closes a descriptor when the scope ends.
class Fd {
 public:
  explicit Fd(int fd) noexcept : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const noexcept { return fd_; }

 private:
  int fd_;
};

void fsync_path(const fs::path& path, int flags) {
  Fd fd(::open(path.c_str(), flags | O_CLOEXEC));
  if (fd.get() < 0) fail("open " + path.string(), errno);
  if (::fsync(fd.get()) != 0) fail("fsync " + path.string(), errno);
}

void fsync_directory(const fs::path& dir) {
  fsync_path(dir, O_RDONLY | O_DIRECTORY);
}

void make_directories(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) fail("create directory " + dir.string(), ec.value());
}

// Copies `source` into the already open `out`, then fsyncs it.
void copy_into(const fs::path& source, int out, const fs::path& out_path) {
  Fd in(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) fail("open " + source.string(), errno);
  char buffer[64 * 1024];
  for (;;) {
    ssize_t n = ::read(in.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("read " + source.string(), errno);
    }
    if (n == 0) break;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(out, buffer + done, static_cast<std::size_t>(n - done));
      if (w < 0) {
        if (errno == EINTR) continue;
        fail("write " + out_path.string(), errno);
      }
      done += w;
    }
  }
  if (::fsync(out) != 0) fail("fsync " + out_path.string(), errno);
}

// The hidden sibling a put writes before its rename.
fs::path staging_path(const fs::path& target) {
  return target.parent_path() /
         ("." + target.filename().string() + ".tmp-" + random_lower_alnum(10));
}

void rename_into_place(const fs::path& from, const fs::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) fail("rename to " + to.string(), errno);
  fsync_directory(to.parent_path());
}

// Removes `dir` and its parents up to (not including) `root` while they are empty.
void remove_empty_parents(fs::path dir, const fs::path& root) {
  while (dir != root && dir.string().size() > root.string().size()) {
    if (::rmdir(dir.c_str()) != 0) return;  // not empty, or gone: either way stop
    dir = dir.parent_path();
  }
}

std::string etag_of(const struct stat& info) {
  return fmt::format("\"{:x}-{:x}-{:x}\"", static_cast<unsigned long long>(info.st_ino),
                     static_cast<unsigned long long>(info.st_size),
                     static_cast<unsigned long long>(info.st_mtim.tv_sec) * 1'000'000'000ULL +
                         static_cast<unsigned long long>(info.st_mtim.tv_nsec));
}

}  // namespace

LocalStorage::LocalStorage(fs::path root) : root_(std::move(root)) {
  make_directories(root_);
  root_ = fs::canonical(root_);
}

fs::path LocalStorage::path_of(std::string_view key) const {
  check_key(key);
  return root_ / fs::path(std::string(key));
}

void LocalStorage::put_file(std::string_view key, const fs::path& source, std::string_view) {
  const fs::path target = path_of(key);
  make_directories(target.parent_path());
  const fs::path staging = staging_path(target);
  {
    Fd out(::open(staging.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (out.get() < 0) fail("create " + staging.string(), errno);
    try {
      copy_into(source, out.get(), staging);
    } catch (...) {
      ::unlink(staging.c_str());
      throw;
    }
  }
  try {
    rename_into_place(staging, target);
  } catch (...) {
    ::unlink(staging.c_str());
    throw;
  }
}

void LocalStorage::put_file_moving(std::string_view key, core::TempFile& source, std::string_view) {
  const fs::path target = path_of(key);
  make_directories(target.parent_path());
  source.close();
  // The data must be on disk before the name that points at it is.
  fsync_path(source.path(), O_RDONLY);
  if (::rename(source.path().c_str(), target.c_str()) == 0) {
    source.release();
    fsync_directory(target.parent_path());
    return;
  }
  if (errno != EXDEV) fail("rename to " + target.string(), errno);
  put_file(key, source.path(), {});  // another file system: copy
}

std::optional<ObjectInfo> LocalStorage::stat(std::string_view key) {
  const fs::path path = path_of(key);
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
    fail("stat " + path.string(), errno);
  }
  if (!S_ISREG(info.st_mode)) return std::nullopt;
  ObjectInfo out;
  out.size = static_cast<std::uint64_t>(info.st_size);
  out.modified = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::seconds(info.st_mtim.tv_sec) +
          std::chrono::nanoseconds(info.st_mtim.tv_nsec)));
  out.etag = etag_of(info);
  return out;
}

std::string LocalStorage::read_range(std::string_view key, std::uint64_t offset,
                                     std::uint64_t length) {
  const fs::path path = path_of(key);
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) fail("open " + path.string(), errno);
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) fail("stat " + path.string(), errno);
  const auto size = static_cast<std::uint64_t>(info.st_size);
  if (offset >= size) return {};
  std::string out(static_cast<std::size_t>(std::min(length, size - offset)), '\0');
  std::size_t done = 0;
  while (done < out.size()) {
    ssize_t n =
        ::pread(fd.get(), out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("read " + path.string(), errno);
    }
    if (n == 0) break;  // truncated meanwhile
    done += static_cast<std::size_t>(n);
  }
  out.resize(done);
  return out;
}

std::optional<fs::path> LocalStorage::local_path(std::string_view key) {
  return path_of(key);
}

void LocalStorage::remove(std::string_view key) {
  const fs::path path = path_of(key);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT && errno != ENOTDIR) {
    fail("remove " + path.string(), errno);
  }
  remove_empty_parents(path.parent_path(), root_);
}

void LocalStorage::remove_prefix(std::string_view prefix) {
  const fs::path dir = path_of(prefix);
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) {
    fail("remove " + dir.string(), ec.value());
  }
  remove_empty_parents(dir.parent_path(), root_);
}

std::vector<std::string> LocalStorage::list(std::string_view prefix) {
  const fs::path dir = prefix.empty() ? root_ : path_of(prefix);
  std::vector<std::string> out;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory) return out;
    fail("list " + dir.string(), ec.value());
  }
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) fail("list " + dir.string(), ec.value());
    if (it->is_regular_file(ec)) out.push_back(it->path().lexically_relative(root_).string());
  }
  return out;
}

}  // namespace basalt::files
