// The storage keys serving reads (storage.hpp describes the layout): a record's file and its
// thumbnails beside it. Every segment is checked by check_key() before use.
#pragma once

#include <string>
#include <string_view>

namespace basalt::files {

// Whether `segment` can be one segment of a key: non-empty, not "." or "..", no '/', '\\', NUL
// or other control character. Names that fail it are never looked up (404).
bool is_plain_key_segment(std::string_view segment) noexcept;

// <collectionId>/<recordId>/<filename>
std::string file_key(std::string_view collection_id, std::string_view record_id,
                     std::string_view filename);

// <collectionId>/<recordId>/thumbs_<filename>/<size>_<filename>
std::string thumb_key(std::string_view collection_id, std::string_view record_id,
                      std::string_view filename, std::string_view size);

}  // namespace basalt::files
