#include "basalt/files/content_sniffer.hpp"

#include <magic.h>
#include <spdlog/spdlog.h>

namespace basalt::files {
namespace {

constexpr std::string_view kUnknown = "application/octet-stream";

// One handle per thread, closed when the thread ends.
class MagicHandle {
 public:
  MagicHandle() : cookie_(magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR)) {
    if (cookie_ && magic_load(cookie_, nullptr) != 0) {
      spdlog::error("files: libmagic database failed to load: {}", magic_error(cookie_));
      magic_close(cookie_);
      cookie_ = nullptr;
    } else if (!cookie_) {
      spdlog::error("files: libmagic could not be opened");
    }
  }
  ~MagicHandle() {
    if (cookie_) magic_close(cookie_);
  }
  MagicHandle(const MagicHandle&) = delete;
  MagicHandle& operator=(const MagicHandle&) = delete;

  magic_t get() const noexcept { return cookie_; }

 private:
  magic_t cookie_;
};

}  // namespace

std::string sniff_content_type(std::string_view head) {
  thread_local MagicHandle handle;
  if (!handle.get() || head.empty()) return std::string(kUnknown);
  const char* type = magic_buffer(handle.get(), head.data(), head.size());
  if (!type || *type == '\0') return std::string(kUnknown);
  return type;
}

}  // namespace basalt::files
