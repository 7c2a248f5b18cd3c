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

std::string_view essence(std::string_view type) {
  type = type.substr(0, type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  return type;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

std::string detect_mime_type(const std::filesystem::path& path) {
  const char* type = magic_file(thread_magic(), path.c_str());
  if (!type || !*type) return std::string(kUnknown);
  return std::string(type);
}

bool mime_type_allowed(std::string_view detected, std::span<const std::string> allowed) {
  const std::string_view type = essence(detected);
  for (const std::string& entry : allowed) {
    if (iequals(essence(entry), type)) return true;
  }
  return false;
}

}  // namespace basalt::files
