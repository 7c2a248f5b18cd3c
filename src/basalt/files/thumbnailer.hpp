// Thumbnails with libvips (docs/files.md, "Thumbnails"): decodes an image file, applies the
// geometry of thumb_size.hpp and encodes the result in the format PocketBase picks (JPEG stays
// JPEG, GIF stays GIF - its first frame -, PNG and WebP become PNG).
//
// Bounds: an image of more than `max_pixels` pixels is refused before its pixels are decoded
// (decompression bombs); only the loaders of the four allowed formats are called, and libvips'
// untrusted loaders are blocked; libvips keeps no operation cache and runs each call on one
// thread of its own (the caller's pool decides how many run at once), so memory is about one
// decoded image per running call.
//
// Thread safety: make_thumbnail() may run on several threads at once; libvips is initialised
// once per process (init_vips(), also called by make_thumbnail()). Blocking and CPU-heavy:
// call it from a pool thread, never a worker's I/O thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

#include "basalt/files/thumb_size.hpp"

namespace basalt::files {

class ThumbnailError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// 50 megapixels: an 8660 x 5773 photo; its decoded RGBA is at most 200 MB.
inline constexpr std::uint64_t kDefaultMaxThumbSourcePixels = 50'000'000;

// Whether a thumbnail can be made of content of this type (png, jpg/jpeg, gif, webp).
bool is_thumbnail_source_type(std::string_view content_type) noexcept;

// Initialises libvips with the bounds above, once; later calls do nothing. Throws
// ThumbnailError when libvips cannot start.
void init_vips();

// Makes the thumbnail of `source` (an image of `content_type`, one of the source types) at
// `size` into the new file `destination`, and returns the thumbnail's content type. Throws
// ThumbnailError (a refused, undecodable or too large image; a failed write).
std::string make_thumbnail(const std::filesystem::path& source, std::string_view content_type,
                           const ThumbSize& size, const std::filesystem::path& destination,
                           std::uint64_t max_pixels = kDefaultMaxThumbSourcePixels);

}  // namespace basalt::files
