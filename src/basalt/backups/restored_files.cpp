#include "basalt/backups/restored_files.hpp"

#include <stdexcept>
#include <string>

#include "basalt/files/mime_type.hpp"

namespace basalt::backups {

namespace fs = std::filesystem;

std::size_t put_restored_files(const fs::path& storage_dir, files::Storage& target,
                               const CancelCheck& cancelled) {
  if (!fs::is_directory(storage_dir)) return 0;
  std::size_t put = 0;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(storage_dir)) {
    if (cancelled && cancelled()) throw std::runtime_error("cancelled");
    if (!entry.is_regular_file()) continue;
    const std::string key = entry.path().lexically_relative(storage_dir).generic_string();
    files::check_key(key);
    // The type a record upload would have been stored with: detected from the content.
    target.put_file(key, entry.path(), files::detect_mime_type(entry.path()));
    ++put;
  }
  return put;
}

}  // namespace basalt::backups
