// Thumbnail sizes and their geometry (docs/files.md, "Thumbnails"), as PocketBase makes them
// (tools/filesystem CreateThumb over the `imaging` package, linear filter):
//   WxH   resize to cover WxH, then crop its center     WxHt  ... crop from the top
//   WxHb  ... crop from the bottom                      WxHf  fit inside WxH (never enlarged)
//   0xH   height H, width keeping the ratio             Wx0   width W, height keeping the ratio
// The geometry is computed here, apart from any image library, so it can be checked exactly.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace basalt::files {

enum class ThumbFit { kCenter, kTop, kBottom, kInside };

struct ThumbSize {
  int width = 0;   // 0: from the height, keeping the ratio
  int height = 0;  // 0: from the width, keeping the ratio
  ThumbFit fit = ThumbFit::kCenter;
  friend bool operator==(const ThumbSize&, const ThumbSize&) = default;
};

// Sizes past this many pixels a side are refused: a thumb is small, and an enlargement to a
// size an operator mistyped must not allocate gigabytes.
inline constexpr int kMaxThumbSide = 4096;

// `text` in the form ^(\d+)x(\d+)(t|b|f)?$ with not both sides 0 and neither past
// kMaxThumbSide; nullopt otherwise.
std::optional<ThumbSize> parse_thumb_size(std::string_view text);

// Whether `size` may be generated for a field listing `allowed` sizes: "100x100" always, else
// one of the field's own (compared as text, as PocketBase compares them).
bool is_allowed_thumb_size(std::string_view size, const std::vector<std::string_view>& allowed);

struct PixelRect {
  int left = 0;
  int top = 0;
  int width = 0;
  int height = 0;
  friend bool operator==(const PixelRect&, const PixelRect&) = default;
};

// The steps from an image of source_width x source_height to the thumbnail: crop `before`
// (when set), resize to resize_width x resize_height, crop `after` (when set). The result is
// exactly what PocketBase would produce.
struct ThumbPlan {
  std::optional<PixelRect> before;
  int resize_width = 0;
  int resize_height = 0;
  std::optional<PixelRect> after;

  // The size of the thumbnail the plan makes.
  int width() const noexcept { return after ? after->width : resize_width; }
  int height() const noexcept { return after ? after->height : resize_height; }
};

// Requires source sides >= 1.
ThumbPlan plan_thumb(const ThumbSize& size, int source_width, int source_height);

}  // namespace basalt::files
