// The storage keys of file fields, the one place that builds them (storage.hpp describes the
// layout; docs/files.md):
//
//   <collectionId>/<recordId>                                 a record's files (record_prefix)
//   <collectionId>/<recordId>/<filename>                      a file (file_key)
//   <collectionId>/<recordId>/thumbs_<filename>               its thumbnails (thumbs_prefix)
//   <collectionId>/<recordId>/thumbs_<filename>/<size>_<filename>   one thumbnail (thumb_key)
//
// The builders only join: every backend call checks its key (check_key), so a key with an
// unsafe segment fails there, whoever built it. Serving refuses such names earlier, before any
// lookup, with is_plain_key_segment().
#pragma once

#include <string>
#include <string_view>

namespace basalt::files {

// Whether `segment` can be one segment of a key: non-empty, not "." or "..", no '/', '\\', NUL
// or other control character. Names that fail it are never looked up (404).
bool is_plain_key_segment(std::string_view segment) noexcept;

std::string record_prefix(std::string_view collection_id, std::string_view record_id);
std::string file_key(std::string_view collection_id, std::string_view record_id,
                     std::string_view filename);
std::string thumbs_prefix(std::string_view collection_id, std::string_view record_id,
                          std::string_view filename);
std::string thumb_key(std::string_view collection_id, std::string_view record_id,
                      std::string_view filename, std::string_view size);

}  // namespace basalt::files
