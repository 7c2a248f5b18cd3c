#include "basalt/files/thumbnailer.hpp"

#include <spdlog/spdlog.h>
#include <vips/vips.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <mutex>

namespace basalt::files {
namespace {

// Owns one reference to a GObject (a VipsImage or VipsSource).
template <typename T>
class Ref {
 public:
  Ref() = default;
  explicit Ref(T* object) noexcept : object_(object) {}
  Ref(const Ref&) = delete;
  Ref& operator=(const Ref&) = delete;
  ~Ref() { reset(nullptr); }

  T* get() const noexcept { return object_; }
  T** out() noexcept {
    reset(nullptr);
    return &object_;
  }
  void reset(T* object) noexcept {
    if (object_) g_object_unref(object_);
    object_ = object;
  }

 private:
  T* object_ = nullptr;
};

using Image = Ref<VipsImage>;

[[noreturn]] void fail(std::string_view what) {
  std::string message(what);
  const char* details = vips_error_buffer();
  if (details && *details) {
    message += ": ";
    message += details;
    // vips' buffer ends with a newline per message.
    while (!message.empty() && message.back() == '\n') message.pop_back();
  }
  vips_error_clear();
  throw ThumbnailError(message);
}

enum class Format { kJpeg, kPng, kGif, kWebp };

Format format_of(std::string_view content_type) {
  if (content_type == "image/jpeg" || content_type == "image/jpg") return Format::kJpeg;
  if (content_type == "image/png") return Format::kPng;
  if (content_type == "image/gif") return Format::kGif;
  if (content_type == "image/webp") return Format::kWebp;
  throw ThumbnailError("no thumbnail for content type " + std::string(content_type));
}

// Only the loader of the detected format: a file that claims one format and is another fails
// here instead of reaching some other loader. `shrink` (JPEG only: 1, 2, 4 or 8) decodes at
// that fraction of the size, which libjpeg does for a fraction of the work.
void load(Format format, VipsSource* source, Image& image, int shrink = 1) {
  int status = -1;
  switch (format) {
    case Format::kJpeg:
      status = vips_jpegload_source(source, image.out(), "fail_on", VIPS_FAIL_ON_ERROR, "shrink",
                                    shrink, nullptr);
      break;
    case Format::kPng:
      status = vips_pngload_source(source, image.out(), "fail_on", VIPS_FAIL_ON_ERROR, nullptr);
      break;
    case Format::kGif:
      status = vips_gifload_source(source, image.out(), "fail_on", VIPS_FAIL_ON_ERROR, nullptr);
      break;
    case Format::kWebp:
      status = vips_webpload_source(source, image.out(), "fail_on", VIPS_FAIL_ON_ERROR, nullptr);
      break;
  }
  if (status != 0) fail("decoding failed");
}

void crop(Image& image, const PixelRect& rect) {
  if (rect.width < 1 || rect.height < 1) throw ThumbnailError("empty crop");
  if (rect.left == 0 && rect.top == 0 && rect.width == image.get()->Xsize &&
      rect.height == image.get()->Ysize) {
    return;
  }
  Image out;
  if (vips_extract_area(image.get(), out.out(), rect.left, rect.top, rect.width, rect.height,
                        nullptr) != 0) {
    fail("crop failed");
  }
  image.reset(static_cast<VipsImage*>(g_object_ref(out.get())));
}

// Resizes to exactly width x height (vips rounds the scaled size; a pixel short or over is
// copied from the edge or cut).
void resize(Image& image, int width, int height) {
  const int from_width = image.get()->Xsize;
  const int from_height = image.get()->Ysize;
  if (from_width == width && from_height == height) return;
  Image out;
  if (vips_resize(image.get(), out.out(), static_cast<double>(width) / from_width, "vscale",
                  static_cast<double>(height) / from_height, "kernel", VIPS_KERNEL_LINEAR,
                  nullptr) != 0) {
    fail("resize failed");
  }
  image.reset(static_cast<VipsImage*>(g_object_ref(out.get())));
  if (image.get()->Xsize > width || image.get()->Ysize > height) {
    crop(image, {0, 0, std::min(width, image.get()->Xsize), std::min(height, image.get()->Ysize)});
  }
  if (image.get()->Xsize < width || image.get()->Ysize < height) {
    Image padded;
    if (vips_embed(image.get(), padded.out(), 0, 0, width, height, "extend", VIPS_EXTEND_COPY,
                   nullptr) != 0) {
      fail("resize failed");
    }
    image.reset(static_cast<VipsImage*>(g_object_ref(padded.get())));
  }
}

// Writes `image` and returns its content type: JPEG and GIF keep their format, the others
// become PNG (PocketBase encodes WebP thumbnails as PNG).
std::string save(Format format, VipsImage* image, const std::filesystem::path& destination) {
  const std::string path = destination.string();
  switch (format) {
    case Format::kJpeg:
      if (vips_jpegsave(image, path.c_str(), "Q", 95, nullptr) != 0) fail("encoding failed");
      return "image/jpeg";
    case Format::kGif:
      if (vips_gifsave(image, path.c_str(), nullptr) != 0) fail("encoding failed");
      return "image/gif";
    case Format::kPng:
    case Format::kWebp:
      break;
  }
  if (vips_pngsave(image, path.c_str(), nullptr) != 0) fail("encoding failed");
  return "image/png";
}

// libvips reports what it met in a damaged image as GLib warnings on stderr; the failure that
// matters reaches the caller as ThumbnailError, so the details go to the debug log.
void log_vips_message(const gchar* domain, GLogLevelFlags, const gchar* message, gpointer) {
  spdlog::debug("{}: {}", domain ? domain : "vips", message ? message : "");
}

}  // namespace

bool is_thumbnail_source_type(std::string_view content_type) noexcept {
  static constexpr std::array<std::string_view, 5> kTypes = {"image/png", "image/jpg", "image/jpeg",
                                                             "image/gif", "image/webp"};
  for (std::string_view type : kTypes) {
    if (type == content_type) return true;
  }
  return false;
}

void init_vips() {
  static std::once_flag once;
  static bool ready = false;
  std::call_once(once, [] {
    if (VIPS_INIT("basalt") != 0) return;
    vips_cache_set_max(0);      // every thumbnail is made once: nothing to reuse
    vips_cache_set_max_mem(0);  // and no decoded pixels kept between calls
    vips_cache_set_max_files(0);
    vips_concurrency_set(1);  // one vips thread per call; the pool bounds the calls
    vips_block_untrusted_set(TRUE);
    g_log_set_handler("VIPS",
                      static_cast<GLogLevelFlags>(G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE |
                                                  G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG),
                      log_vips_message, nullptr);
    ready = true;
  });
  if (!ready) throw ThumbnailError("libvips failed to initialise");
}

std::string make_thumbnail(const std::filesystem::path& source, std::string_view content_type,
                           const ThumbSize& size, const std::filesystem::path& destination,
                           std::uint64_t max_pixels) {
  init_vips();
  const Format format = format_of(content_type);
  Ref<VipsSource> input(vips_source_new_from_file(source.c_str()));
  if (!input.get()) fail("cannot open the original");
  Image image;
  load(format, input.get(), image);  // reads the header only; pixels come when needed
  const auto pixels = static_cast<std::uint64_t>(image.get()->Xsize) *
                      static_cast<std::uint64_t>(image.get()->Ysize);
  if (pixels == 0 || pixels > max_pixels) {
    throw ThumbnailError("image of " + std::to_string(image.get()->Xsize) + "x" +
                         std::to_string(image.get()->Ysize) + " pixels is past the limit");
  }
  // The plan is made for the image as it is seen: EXIF orientation applied, as PocketBase
  // decodes with auto-orientation.
  int width = image.get()->Xsize;
  int height = image.get()->Ysize;
  if (vips_image_get_orientation_swap(image.get())) std::swap(width, height);
  ThumbPlan plan = plan_thumb(size, width, height);

  // A JPEG much larger than the thumbnail is decoded already shrunk, by at most the factor
  // that leaves the region to resize at least as large as the thumbnail: the result differs
  // from a full decode by less than one thumbnail pixel, in a fraction of the time.
  if (format == Format::kJpeg) {
    const int region_width = plan.before ? plan.before->width : width;
    const int region_height = plan.before ? plan.before->height : height;
    const double factor = std::min(static_cast<double>(region_width) / plan.resize_width,
                                   static_cast<double>(region_height) / plan.resize_height);
    const int shrink = factor >= 8 ? 8 : factor >= 4 ? 4 : factor >= 2 ? 2 : 1;
    if (shrink > 1) {
      Ref<VipsSource> again(vips_source_new_from_file(source.c_str()));
      if (!again.get()) fail("cannot open the original");
      load(format, again.get(), image, shrink);
    }
  }

  Image rotated;
  if (vips_autorot(image.get(), rotated.out(), nullptr) != 0) fail("orientation failed");
  image.reset(static_cast<VipsImage*>(g_object_ref(rotated.get())));
  if (plan.before && (image.get()->Xsize != width || image.get()->Ysize != height)) {
    // The crop in the coordinates of the shrunk decode.
    const double x = static_cast<double>(image.get()->Xsize) / width;
    const double y = static_cast<double>(image.get()->Ysize) / height;
    PixelRect& r = *plan.before;
    const int left = std::min(static_cast<int>(r.left * x), image.get()->Xsize - 1);
    const int top = std::min(static_cast<int>(r.top * y), image.get()->Ysize - 1);
    r = {left, top,
         std::clamp(static_cast<int>(std::lround(r.width * x)), 1, image.get()->Xsize - left),
         std::clamp(static_cast<int>(std::lround(r.height * y)), 1, image.get()->Ysize - top)};
  }
  if (plan.before) crop(image, *plan.before);
  resize(image, plan.resize_width, plan.resize_height);
  if (plan.after) crop(image, *plan.after);
  return save(format, image.get(), destination);
}

}  // namespace basalt::files
