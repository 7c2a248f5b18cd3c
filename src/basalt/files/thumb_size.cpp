#include "basalt/files/thumb_size.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace basalt::files {
namespace {

std::optional<int> parse_side(std::string_view digits) {
  if (digits.empty() || digits.size() > 9) return std::nullopt;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  int value = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return value;
}

struct Size {
  int width;
  int height;
};

// imaging.Resize: a zero side follows the ratio (rounded, at least 1).
Size resized(int source_width, int source_height, int width, int height) {
  if (width == 0) {
    const double w = static_cast<double>(height) * source_width / source_height;
    width = static_cast<int>(std::max(1.0, std::floor(w + 0.5)));
  }
  if (height == 0) {
    const double h = static_cast<double>(width) * source_height / source_width;
    height = static_cast<int>(std::max(1.0, std::floor(h + 0.5)));
  }
  return {width, height};
}

// imaging.CropAnchor: a width x height window at the anchor, within the image.
PixelRect anchored(int image_width, int image_height, int width, int height, ThumbFit fit) {
  const int left = (image_width - width) / 2;
  int top = 0;
  switch (fit) {
    case ThumbFit::kTop:
      top = 0;
      break;
    case ThumbFit::kBottom:
      top = image_height - height;
      break;
    default:
      top = (image_height - height) / 2;
      break;
  }
  // Intersect with the image, as Go's image.Rectangle.Intersect.
  const int x0 = std::max(left, 0);
  const int y0 = std::max(top, 0);
  const int x1 = std::min(left + width, image_width);
  const int y1 = std::min(top + height, image_height);
  return {x0, y0, std::max(0, x1 - x0), std::max(0, y1 - y0)};
}

}  // namespace

std::optional<ThumbSize> parse_thumb_size(std::string_view text) {
  const std::size_t x = text.find('x');
  if (x == std::string_view::npos) return std::nullopt;
  ThumbSize size;
  std::string_view rest = text.substr(x + 1);
  if (!rest.empty()) {
    switch (rest.back()) {
      case 't':
        size.fit = ThumbFit::kTop;
        break;
      case 'b':
        size.fit = ThumbFit::kBottom;
        break;
      case 'f':
        size.fit = ThumbFit::kInside;
        break;
      default:
        break;
    }
    if (size.fit != ThumbFit::kCenter) rest.remove_suffix(1);
  }
  const auto width = parse_side(text.substr(0, x));
  const auto height = parse_side(rest);
  if (!width || !height) return std::nullopt;
  if ((*width == 0 && *height == 0) || *width > kMaxThumbSide || *height > kMaxThumbSide) {
    return std::nullopt;
  }
  size.width = *width;
  size.height = *height;
  return size;
}

bool is_allowed_thumb_size(std::string_view size, const std::vector<std::string_view>& allowed) {
  if (size == "100x100") return true;
  return std::find(allowed.begin(), allowed.end(), size) != allowed.end();
}

ThumbPlan plan_thumb(const ThumbSize& size, int source_width, int source_height) {
  ThumbPlan plan;
  plan.resize_width = source_width;
  plan.resize_height = source_height;
  const int w = size.width;
  const int h = size.height;

  // One side 0: a plain resize keeping the ratio, whatever the fit letter.
  if (w == 0 || h == 0) {
    const Size out = resized(source_width, source_height, w, h);
    plan.resize_width = out.width;
    plan.resize_height = out.height;
    return plan;
  }

  const double source_ratio = static_cast<double>(source_width) / source_height;
  const double target_ratio = static_cast<double>(w) / h;

  if (size.fit == ThumbFit::kInside) {
    // imaging.Fit: never enlarged; otherwise the side that overflows more is made to fit.
    if (source_width <= w && source_height <= h) return plan;
    int fit_width = 0;
    int fit_height = 0;
    if (source_ratio > target_ratio) {
      fit_width = w;
      fit_height = static_cast<int>(static_cast<double>(fit_width) / source_ratio);
    } else {
      fit_height = h;
      fit_width = static_cast<int>(static_cast<double>(fit_height) * source_ratio);
    }
    const Size out = resized(source_width, source_height, fit_width, fit_height);
    plan.resize_width = out.width;
    plan.resize_height = out.height;
    return plan;
  }

  // imaging.Fill: cover the box and crop at the anchor.
  if (source_width == w && source_height == h) return plan;
  if (source_width >= 100 && source_height >= 100) {
    // Large sources: crop to the box's ratio first, then resize to the box.
    if (source_ratio < target_ratio) {
      const double crop_height = static_cast<double>(source_width) * h / w;
      const int height = static_cast<int>(std::max(1.0, crop_height) + 0.5);
      plan.before = anchored(source_width, source_height, source_width, height, size.fit);
    } else {
      const double crop_width = static_cast<double>(source_height) * w / h;
      const int width = static_cast<int>(std::max(1.0, crop_width) + 0.5);
      plan.before = anchored(source_width, source_height, width, source_height, size.fit);
    }
    plan.resize_width = w;
    plan.resize_height = h;
    return plan;
  }
  // Small sources: resize to cover the box first, then crop it.
  const Size cover = source_ratio < target_ratio ? resized(source_width, source_height, w, 0)
                                                 : resized(source_width, source_height, 0, h);
  plan.resize_width = cover.width;
  plan.resize_height = cover.height;
  plan.after = anchored(cover.width, cover.height, w, h, size.fit);
  return plan;
}

}  // namespace basalt::files
