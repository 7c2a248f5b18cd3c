#include "basalt/files/testing/test_images.hpp"

#include <vips/vips.h>

#include <fstream>
#include <stdexcept>

#include "basalt/files/thumbnailer.hpp"

namespace basalt::files::testing {
namespace {

[[noreturn]] void fail(const char* what) {
  std::string message = std::string(what) + ": " + vips_error_buffer();
  vips_error_clear();
  throw std::runtime_error(message);
}

struct Unref {
  void operator()(void* object) const {
    if (object) g_object_unref(object);
  }
};

VipsImage* banded(int width, int height) {
  VipsImage* image = nullptr;
  if (vips_black(&image, width, height, "bands", 3, nullptr) != 0) fail("vips_black");
  VipsImage* memory = vips_image_copy_memory(image);
  g_object_unref(image);
  if (!memory) fail("copy_memory");
  memory->Type = VIPS_INTERPRETATION_sRGB;
  const int band = height / 3;
  double red[] = {255, 0, 0};
  double green[] = {0, 255, 0};
  double blue[] = {0, 0, 255};
  if (vips_draw_rect(memory, red, 3, 0, 0, width, band, "fill", TRUE, nullptr) != 0 ||
      vips_draw_rect(memory, green, 3, 0, band, width, height - 2 * band, "fill", TRUE, nullptr) !=
          0 ||
      vips_draw_rect(memory, blue, 3, 0, height - band, width, band, "fill", TRUE, nullptr) != 0) {
    g_object_unref(memory);
    fail("vips_draw_rect");
  }
  VipsImage* bytes = nullptr;
  if (vips_cast_uchar(memory, &bytes, nullptr) != 0) {
    g_object_unref(memory);
    fail("cast");
  }
  g_object_unref(memory);
  return bytes;
}

}  // namespace

std::string banded_image(std::string_view extension, int width, int height) {
  init_vips();
  std::unique_ptr<VipsImage, Unref> image(banded(width, height));
  void* buffer = nullptr;
  size_t length = 0;
  int status = -1;
  if (extension == ".png") {
    status = vips_pngsave_buffer(image.get(), &buffer, &length, nullptr);
  } else if (extension == ".jpg") {
    status = vips_jpegsave_buffer(image.get(), &buffer, &length, "Q", 95, nullptr);
  } else if (extension == ".gif") {
    status = vips_gifsave_buffer(image.get(), &buffer, &length, nullptr);
  } else if (extension == ".webp") {
    status = vips_webpsave_buffer(image.get(), &buffer, &length, nullptr);
  } else {
    throw std::runtime_error("unknown image extension");
  }
  if (status != 0) fail("encode");
  std::string out(static_cast<const char*>(buffer), length);
  g_free(buffer);
  return out;
}

void write_banded_image(const std::filesystem::path& path, int width, int height) {
  const std::string bytes = banded_image(path.extension().string(), width, height);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out.flush()) throw std::runtime_error("cannot write test image");
}

ImageFacts inspect_image(std::string_view encoded) {
  init_vips();
  VipsImage* raw = vips_image_new_from_buffer(encoded.data(), encoded.size(), "", nullptr);
  if (!raw) fail("decode");
  std::unique_ptr<VipsImage, Unref> image(raw);
  ImageFacts facts;
  facts.width = image->Xsize;
  facts.height = image->Ysize;
  double* values = nullptr;
  int count = 0;
  if (vips_getpoint(image.get(), &values, &count, facts.width / 2, facts.height / 2, nullptr) !=
      0) {
    fail("getpoint");
  }
  if (count >= 3) {
    const double r = values[0], g = values[1], b = values[2];
    if (r > 150 && g < 100 && b < 100) facts.center = 'r';
    if (g > 150 && r < 100 && b < 100) facts.center = 'g';
    if (b > 150 && r < 100 && g < 100) facts.center = 'b';
  }
  g_free(values);
  return facts;
}

}  // namespace basalt::files::testing
