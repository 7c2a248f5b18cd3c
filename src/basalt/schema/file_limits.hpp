// Limits and the upload marker of file fields, shared by validation (file_field.cpp), the record
// service (which builds upload markers) and the API (which sizes a request body from them).
#pragma once

#include <cstdint>
#include <string_view>

#include "basalt/schema/collection.hpp"
#include "basalt/schema/field_options.hpp"

namespace basalt::schema {

// PocketBase's default body limit: a body may always be 32 MiB beyond what the fields add (the
// fields' own defaults are in field_options.hpp).
inline constexpr std::int64_t kDefaultMaxBodySize = 32 << 20;

// An upload in a file field's value: an object with these members. Only the record service
// makes one (it strips every object a client sends in a file field first).
inline constexpr std::string_view kUploadMarker = "upload";              // its index in the request
inline constexpr std::string_view kUploadName = "name";                  // the stored name
inline constexpr std::string_view kUploadOriginalName = "originalName";  // as sent (base name)
inline constexpr std::string_view kUploadSize = "size";                  // bytes (int64)
inline constexpr std::string_view kUploadMimeType = "mimeType";          // detected

std::int64_t file_max_size(const FileOptions& options) noexcept;
std::int64_t file_max_select(const FileOptions& options) noexcept;  // at least 1

// PocketBase's body limit of a record create or update in `collection`: 32 MiB plus, for each
// file field, maxSize * maxSelect, and each editor or JSON field's maxSize (a view: 32 MiB).
std::uint64_t record_body_limit(const Collection& collection) noexcept;

}  // namespace basalt::schema
