#include "basalt/files/testing/directory_storage.hpp"

#include <fstream>

namespace basalt::files::testing {

namespace fs = std::filesystem;

DirectoryStorage::DirectoryStorage(fs::path root, bool remote)
    : local_(std::move(root)), remote_(remote) {}

void DirectoryStorage::put_file(std::string_view key, const fs::path& source,
                                std::string_view content_type) {
  local_.put_file(key, source, content_type);
  ++puts_;
}

std::string DirectoryStorage::read_range(std::string_view key, std::uint64_t offset,
                                         std::uint64_t length) {
  const std::optional<ObjectInfo> info = local_.stat(key);
  if (length > 0 && info && offset >= info->size) ++reads_past_end_;
  return local_.read_range(key, offset, length);
}

std::optional<fs::path> DirectoryStorage::local_path(std::string_view key) {
  if (remote_) return std::nullopt;
  return local_.local_path(key);
}

void DirectoryStorage::write(std::string_view key, std::string_view content) {
  const fs::path target = *local_.local_path(key);  // checks the key
  fs::create_directories(target.parent_path());
  std::ofstream out(target, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out.flush()) throw StorageError("cannot write " + target.string());
}

}  // namespace basalt::files::testing
