#include "basalt/core/temp_file.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <system_error>
#include <utility>

namespace basalt::core {
namespace {

std::string random_hex(std::size_t bytes) {
  std::array<unsigned char, 32> random{};
  std::size_t got = 0;
  while (got < bytes) {
    ssize_t n = ::getrandom(random.data() + got, bytes - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "getrandom");
    }
    got += static_cast<std::size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes; ++i) {
    out.push_back(kHex[random[i] >> 4]);
    out.push_back(kHex[random[i] & 15]);
  }
  return out;
}

}  // namespace

TempFile::~TempFile() {
  close();
  if (!path_.empty()) ::unlink(path_.c_str());
}

TempFile::TempFile(TempFile&& other) noexcept
    : path_(std::exchange(other.path_, {})),
      fd_(std::exchange(other.fd_, -1)),
      size_(std::exchange(other.size_, 0)) {}

TempFile& TempFile::operator=(TempFile&& other) noexcept {
  if (this != &other) {
    TempFile old(std::move(*this));
    path_ = std::exchange(other.path_, {});
    fd_ = std::exchange(other.fd_, -1);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

TempFile TempFile::create(const std::filesystem::path& dir, std::string_view prefix) {
  TempFile file;
  std::filesystem::path path = dir / (std::string(prefix) + "-" + random_hex(8));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw std::system_error(errno, std::generic_category(), "create " + path.string());
  }
  file.path_ = std::move(path);
  file.fd_ = fd;
  return file;
}

void TempFile::write(std::string_view bytes) {
  if (fd_ < 0) throw std::system_error(EBADF, std::generic_category(), "write to a closed file");
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "write " + path_.string());
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
    size_ += static_cast<std::uint64_t>(n);
  }
}

void TempFile::close() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void TempFile::release() noexcept {
  close();
  path_.clear();
}

}  // namespace basalt::core
