#include "basalt/files/thumb_size.hpp"

#include <gtest/gtest.h>

namespace basalt::files {
namespace {

TEST(ParseThumbSize, ReadsEveryForm) {
  EXPECT_EQ(parse_thumb_size("100x100"), (ThumbSize{100, 100, ThumbFit::kCenter}));
  EXPECT_EQ(parse_thumb_size("30x20t"), (ThumbSize{30, 20, ThumbFit::kTop}));
  EXPECT_EQ(parse_thumb_size("30x20b"), (ThumbSize{30, 20, ThumbFit::kBottom}));
  EXPECT_EQ(parse_thumb_size("30x20f"), (ThumbSize{30, 20, ThumbFit::kInside}));
  EXPECT_EQ(parse_thumb_size("0x50"), (ThumbSize{0, 50, ThumbFit::kCenter}));
  EXPECT_EQ(parse_thumb_size("50x0"), (ThumbSize{50, 0, ThumbFit::kCenter}));
}

TEST(ParseThumbSize, RefusesEverythingElse) {
  for (std::string_view text : {"", "x", "100", "100x", "x100", "0x0", "10x10x", "10x10q", "-1x10",
                                "10 x10", "10x10tt", "4097x10", "1x99999999999"}) {
    EXPECT_FALSE(parse_thumb_size(text)) << text;
  }
}

TEST(AllowedThumbSize, DefaultOrListedByTheField) {
  EXPECT_TRUE(is_allowed_thumb_size("100x100", {}));
  EXPECT_FALSE(is_allowed_thumb_size("50x50", {}));
  EXPECT_TRUE(is_allowed_thumb_size("50x50", {"10x10", "50x50"}));
  EXPECT_FALSE(is_allowed_thumb_size("050x50", {"50x50"}));  // compared as text
}

// Expected values worked out from the imaging package's Resize/Fit/Fill/CropAnchor.
TEST(PlanThumb, KeepRatioResizes) {
  ThumbPlan plan = plan_thumb({0, 50, ThumbFit::kCenter}, 400, 300);
  EXPECT_FALSE(plan.before);
  EXPECT_FALSE(plan.after);
  EXPECT_EQ(plan.resize_width, 67);  // 50 * 400 / 300 = 66.67, rounded
  EXPECT_EQ(plan.resize_height, 50);
  plan = plan_thumb({80, 0, ThumbFit::kCenter}, 400, 300);
  EXPECT_EQ(plan.width(), 80);
  EXPECT_EQ(plan.height(), 60);
  plan = plan_thumb({800, 0, ThumbFit::kTop}, 400, 300);  // enlarges; the letter is ignored
  EXPECT_EQ(plan.width(), 800);
  EXPECT_EQ(plan.height(), 600);
  plan = plan_thumb({1, 0, ThumbFit::kCenter}, 1000, 10);  // never below one pixel
  EXPECT_EQ(plan.height(), 1);
}

TEST(PlanThumb, FitInsideNeverEnlarges) {
  ThumbPlan plan = plan_thumb({100, 100, ThumbFit::kInside}, 400, 300);
  EXPECT_EQ(plan.width(), 100);
  EXPECT_EQ(plan.height(), 75);
  plan = plan_thumb({100, 100, ThumbFit::kInside}, 300, 400);
  EXPECT_EQ(plan.width(), 75);
  EXPECT_EQ(plan.height(), 100);
  plan = plan_thumb({500, 500, ThumbFit::kInside}, 400, 300);
  EXPECT_EQ(plan.width(), 400);
  EXPECT_EQ(plan.height(), 300);
  plan = plan_thumb({100, 30, ThumbFit::kInside}, 333, 100);  // 30 * 3.33 = 99.9 -> 99
  EXPECT_EQ(plan.width(), 99);
  EXPECT_EQ(plan.height(), 30);
}

TEST(PlanThumb, FillCropsLargeSourcesFirstAtTheAnchor) {
  // 400x300 into 100x100: a 300x300 window, then resized.
  ThumbPlan plan = plan_thumb({100, 100, ThumbFit::kCenter}, 400, 300);
  EXPECT_EQ(plan.before, (PixelRect{50, 0, 300, 300}));
  EXPECT_EQ(plan.width(), 100);
  EXPECT_EQ(plan.height(), 100);
  EXPECT_FALSE(plan.after);
  // 300x400 into 100x100: the window's vertical place follows the anchor.
  EXPECT_EQ(plan_thumb({100, 100, ThumbFit::kCenter}, 300, 400).before,
            (PixelRect{0, 50, 300, 300}));
  EXPECT_EQ(plan_thumb({100, 100, ThumbFit::kTop}, 300, 400).before, (PixelRect{0, 0, 300, 300}));
  EXPECT_EQ(plan_thumb({100, 100, ThumbFit::kBottom}, 300, 400).before,
            (PixelRect{0, 100, 300, 300}));
  // 4000x3000 into 300x100: full width, a 1333-high band.
  EXPECT_EQ(plan_thumb({300, 100, ThumbFit::kCenter}, 4000, 3000).before,
            (PixelRect{0, 833, 4000, 1333}));
}

TEST(PlanThumb, FillResizesSmallSourcesFirstThenCrops) {
  // 80x40 (a side under 100) into 30x30: resized to 60x30, then the center 30x30.
  ThumbPlan plan = plan_thumb({30, 30, ThumbFit::kCenter}, 80, 40);
  EXPECT_FALSE(plan.before);
  EXPECT_EQ(plan.resize_width, 60);
  EXPECT_EQ(plan.resize_height, 30);
  EXPECT_EQ(plan.after, (PixelRect{15, 0, 30, 30}));
  // 40x80 into 30x30 from the bottom: 30x60, the lowest 30 rows.
  plan = plan_thumb({30, 30, ThumbFit::kBottom}, 40, 80);
  EXPECT_EQ(plan.resize_width, 30);
  EXPECT_EQ(plan.resize_height, 60);
  EXPECT_EQ(plan.after, (PixelRect{0, 30, 30, 30}));
  // Already the size: nothing to do.
  plan = plan_thumb({40, 80, ThumbFit::kCenter}, 40, 80);
  EXPECT_FALSE(plan.before);
  EXPECT_FALSE(plan.after);
  EXPECT_EQ(plan.width(), 40);
}

}  // namespace
}  // namespace basalt::files
