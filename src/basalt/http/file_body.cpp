#include "basalt/http/file_body.hpp"

#include <unistd.h>

namespace basalt::http {

void UniqueFd::reset(int fd) noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

}  // namespace basalt::http
