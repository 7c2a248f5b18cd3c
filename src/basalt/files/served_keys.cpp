#include "basalt/files/served_keys.hpp"

#include "basalt/files/storage.hpp"

namespace basalt::files {

bool is_plain_key_segment(std::string_view segment) noexcept {
  if (segment.empty() || segment == "." || segment == "..") return false;
  for (char c : segment) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '/' || c == '\\' || byte < 0x20 || byte == 0x7f) return false;
  }
  return true;
}

std::string file_key(std::string_view collection_id, std::string_view record_id,
                     std::string_view filename) {
  std::string key;
  key.reserve(collection_id.size() + record_id.size() + filename.size() + 2);
  key.append(collection_id).append("/").append(record_id).append("/").append(filename);
  check_key(key);
  return key;
}

std::string thumb_key(std::string_view collection_id, std::string_view record_id,
                      std::string_view filename, std::string_view size) {
  std::string key;
  key.append(collection_id).append("/").append(record_id).append("/thumbs_");
  key.append(filename).append("/").append(size).append("_").append(filename);
  check_key(key);
  return key;
}

}  // namespace basalt::files
