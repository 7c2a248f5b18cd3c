#include "basalt/files/mime_type.hpp"

#include <magic.h>

#include <memory>

#include "basalt/files/storage.hpp"

namespace basalt::files {
namespace {

constexpr std::string_view kUnknown = "application/octet-stream";

struct MagicCloser {
  void operator()(magic_set* cookie) const noexcept { magic_close(cookie); }
};
using Magic = std::unique_ptr<magic_set, MagicCloser>;

// This thread's cookie (see the header: one per thread, as libmagic requires).
magic_t thread_magic() {
  thread_local Magic cookie = [] {
    Magic opened(magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR));
    if (!opened) throw StorageError("libmagic: magic_open failed");
    if (magic_load(opened.get(), nullptr) != 0) {
      std::string why = magic_error(opened.get()) ? magic_error(opened.get()) : "unknown";
      throw StorageError("libmagic: cannot load the magic database: " + why);
    }
    return opened;
  }();
  return cookie.get();
}

}  // namespace

std::string detect_mime_type(const std::filesystem::path& path) {
  const char* type = magic_file(thread_magic(), path.c_str());
  if (!type || !*type) return std::string(kUnknown);
  return std::string(type);
}

}  // namespace basalt::files
