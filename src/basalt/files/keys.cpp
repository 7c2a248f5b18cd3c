#include "basalt/files/keys.hpp"

namespace basalt::files {

bool is_plain_key_segment(std::string_view segment) noexcept {
  if (segment.empty() || segment == "." || segment == "..") return false;
  for (char c : segment) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '/' || c == '\\' || byte < 0x20 || byte == 0x7f) return false;
  }
  return true;
}

std::string record_prefix(std::string_view collection_id, std::string_view record_id) {
  std::string key;
  key.reserve(collection_id.size() + 1 + record_id.size());
  key.append(collection_id).append("/").append(record_id);
  return key;
}

std::string file_key(std::string_view collection_id, std::string_view record_id,
                     std::string_view filename) {
  return record_prefix(collection_id, record_id).append("/").append(filename);
}

std::string thumbs_prefix(std::string_view collection_id, std::string_view record_id,
                          std::string_view filename) {
  return record_prefix(collection_id, record_id).append("/thumbs_").append(filename);
}

std::string thumb_key(std::string_view collection_id, std::string_view record_id,
                      std::string_view filename, std::string_view size) {
  return thumbs_prefix(collection_id, record_id, filename)
      .append("/")
      .append(size)
      .append("_")
      .append(filename);
}

}  // namespace basalt::files
