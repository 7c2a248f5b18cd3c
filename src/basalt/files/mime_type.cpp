#include "basalt/files/mime_type.hpp"

#include <magic.h>
#include <spdlog/spdlog.h>

#include <memory>

#include "basalt/files/storage.hpp"

namespace basalt::files {
namespace {

constexpr std::string_view kUnknown = "application/octet-stream";

struct MagicCloser {
  void operator()(magic_set* cookie) const noexcept { magic_close(cookie); }
};
using Magic = std::unique_ptr<magic_set, MagicCloser>;

// This thread's cookie (see the header), or why it could not be loaded: the error is kept so
// that a thread without the database reports it on every call without retrying the load.
struct ThreadMagic {
  Magic cookie;
  std::string error;

  ThreadMagic() {
    cookie.reset(magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR));
    if (!cookie) {
      error = "libmagic: magic_open failed";
    } else if (magic_load(cookie.get(), nullptr) != 0) {
      const char* why = magic_error(cookie.get());
      error = std::string("libmagic: cannot load the magic database: ") + (why ? why : "unknown");
      cookie.reset();
    }
    if (!error.empty()) spdlog::error("files: {}", error);
  }
};

ThreadMagic& thread_magic() {
  thread_local ThreadMagic magic;
  return magic;
}

std::string type_or_unknown(const char* type) {
  if (!type || !*type) return std::string(kUnknown);
  return std::string(type);
}

}  // namespace

std::string detect_mime_type(const std::filesystem::path& path) {
  ThreadMagic& magic = thread_magic();
  if (!magic.cookie) throw StorageError(magic.error);
  return type_or_unknown(magic_file(magic.cookie.get(), path.c_str()));
}

std::string sniff_content_type(std::string_view head) {
  ThreadMagic& magic = thread_magic();
  if (!magic.cookie || head.empty()) return std::string(kUnknown);
  return type_or_unknown(magic_buffer(magic.cookie.get(), head.data(), head.size()));
}

}  // namespace basalt::files
