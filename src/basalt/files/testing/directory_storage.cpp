#include "basalt/files/testing/directory_storage.hpp"

#include <sys/stat.h>

#include <fstream>
#include <random>

namespace basalt::files::testing {

namespace fs = std::filesystem;

DirectoryStorage::DirectoryStorage(fs::path root, bool remote)
    : root_(std::move(root)), remote_(remote) {
  fs::create_directories(root_);
}

fs::path DirectoryStorage::path_of(std::string_view key) const {
  check_key(key);
  return root_ / fs::path(std::string(key));
}

void DirectoryStorage::put_file(std::string_view key, const fs::path& source, std::string_view) {
  const fs::path target = path_of(key);
  fs::create_directories(target.parent_path());
  std::random_device random;
  const fs::path temp = target.string() + ".tmp" + std::to_string(random());
  fs::copy_file(source, temp, fs::copy_options::overwrite_existing);
  fs::rename(temp, target);
  ++puts_;
}

void DirectoryStorage::write(std::string_view key, std::string_view content) {
  const fs::path target = path_of(key);
  fs::create_directories(target.parent_path());
  std::ofstream out(target, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
}

std::optional<ObjectInfo> DirectoryStorage::stat(std::string_view key) {
  struct ::stat st {};
  if (::stat(path_of(key).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  ObjectInfo info;
  info.size = static_cast<std::uint64_t>(st.st_size);
  const auto nanos =
      std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec);
  info.modified = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(nanos));
  char etag[64];
  std::snprintf(etag, sizeof etag, "\"%llx-%llx\"", static_cast<unsigned long long>(st.st_size),
                static_cast<unsigned long long>(nanos.count()));
  info.etag = etag;
  return info;
}

std::string DirectoryStorage::read_range(std::string_view key, std::uint64_t offset,
                                         std::uint64_t length) {
  std::ifstream in(path_of(key), std::ios::binary);
  if (!in) throw StorageError("no object " + std::string(key), true);
  std::error_code error;
  const std::uintmax_t size = fs::file_size(path_of(key), error);
  if (length > 0 && !error && offset >= size) ++reads_past_end_;
  in.seekg(static_cast<std::streamoff>(offset));
  std::string out(length, '\0');
  in.read(out.data(), static_cast<std::streamsize>(length));
  out.resize(static_cast<std::size_t>(in.gcount()));
  return out;
}

std::optional<fs::path> DirectoryStorage::local_path(std::string_view key) {
  if (remote_) return std::nullopt;
  return path_of(key);
}

void DirectoryStorage::remove(std::string_view key) {
  std::error_code ec;
  fs::remove(path_of(key), ec);
}

void DirectoryStorage::remove_prefix(std::string_view prefix) {
  std::error_code ec;
  fs::remove_all(path_of(prefix), ec);
}

std::vector<std::string> DirectoryStorage::list(std::string_view prefix) {
  std::vector<std::string> out;
  const fs::path base = prefix.empty() ? root_ : path_of(prefix);
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(base, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file()) out.push_back(fs::relative(it->path(), root_).generic_string());
  }
  return out;
}

}  // namespace basalt::files::testing
