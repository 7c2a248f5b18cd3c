// TEST ONLY: real images for the tests of thumbnails and serving, drawn and encoded with
// libvips, and a look at the pixels of a produced one.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace basalt::files::testing {

// An RGB image of width x height in three horizontal bands of equal height - red on top,
// green in the middle, blue at the bottom - encoded by its extension (.png, .jpg, .gif,
// .webp) into `path`. Throws std::runtime_error on failure.
void write_banded_image(const std::filesystem::path& path, int width, int height);

// The same encoded in memory (format by `extension`, e.g. ".png").
std::string banded_image(std::string_view extension, int width, int height);

struct ImageFacts {
  int width = 0;
  int height = 0;
  // The colour at the image's center: 'r', 'g' or 'b' (whichever channel dominates), '?' else.
  char center = '?';
};

// Decodes an encoded image (any format libvips reads). Throws std::runtime_error.
ImageFacts inspect_image(std::string_view encoded);

}  // namespace basalt::files::testing
