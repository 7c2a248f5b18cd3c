#include "basalt/db/sqlite/lock_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "basalt/db/database_error.hpp"

namespace basalt::db::sqlite {
namespace {

constexpr std::string_view kLockFileName = ".lock";
constexpr std::size_t kMaxPidText = 32;

// The pid the holder wrote, or "" if it has not written one yet.
std::string read_pid(int fd) {
  char buffer[kMaxPidText] = {};
  ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  std::string pid;
  for (ssize_t i = 0; i < n && buffer[i] >= '0' && buffer[i] <= '9'; ++i) pid += buffer[i];
  return pid;
}

}  // namespace

LockFile::LockFile(const std::string& dir) {
  const std::string path = (std::filesystem::path(dir) / kLockFileName).string();
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw DatabaseError(fmt::format("cannot open lock file {}: {}", path, std::strerror(errno)));
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    std::string pid = error == EWOULDBLOCK ? read_pid(fd_) : std::string();
    ::close(fd_);
    fd_ = -1;
    if (error != EWOULDBLOCK) {
      throw DatabaseError(fmt::format("cannot lock {}: {}", path, std::strerror(error)));
    }
    throw DirectoryInUseError(fmt::format("data directory {} is in use by another basalt process{}",
                                          dir, pid.empty() ? "" : fmt::format(" (pid {})", pid)));
  }
  // Ours now. The pid is only informational, so failing to record it is not fatal.
  const std::string pid = fmt::format("{}\n", ::getpid());
  if (::ftruncate(fd_, 0) == 0) {
    [[maybe_unused]] ssize_t written = ::pwrite(fd_, pid.data(), pid.size(), 0);
  }
}

LockFile::~LockFile() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace basalt::db::sqlite
