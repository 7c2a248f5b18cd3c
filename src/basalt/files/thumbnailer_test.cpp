#include "basalt/files/thumbnailer.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "basalt/files/testing/test_images.hpp"

namespace basalt::files {
namespace {

namespace fs = std::filesystem;

class ThumbnailerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("basalt_thumbs_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream out;
    out << in.rdbuf();
    return out.str();
  }

  // Makes `size` of a banded image of `extension` and returns what came out.
  testing::ImageFacts thumb(std::string_view extension, std::string_view content_type,
                            std::string_view size, int width = 300, int height = 600,
                            std::string* made_type = nullptr) {
    const fs::path source = dir_ / ("source" + std::string(extension));
    testing::write_banded_image(source, width, height);
    const fs::path out = dir_ / "thumb";
    const std::string type = make_thumbnail(source, content_type, *parse_thumb_size(size), out);
    if (made_type) *made_type = type;
    return testing::inspect_image(read(out));
  }

  fs::path dir_;
};

TEST_F(ThumbnailerTest, CropsAtTheAnchor) {
  auto center = thumb(".png", "image/png", "100x100");
  EXPECT_EQ(center.width, 100);
  EXPECT_EQ(center.height, 100);
  EXPECT_EQ(center.center, 'g');
  EXPECT_EQ(thumb(".png", "image/png", "100x100t").center, 'r');
  EXPECT_EQ(thumb(".png", "image/png", "100x100b").center, 'b');
}

TEST_F(ThumbnailerTest, FitsAndKeepsTheRatio) {
  auto fit = thumb(".png", "image/png", "100x100f");
  EXPECT_EQ(fit.width, 50);
  EXPECT_EQ(fit.height, 100);
  auto by_height = thumb(".png", "image/png", "0x60");
  EXPECT_EQ(by_height.width, 30);
  EXPECT_EQ(by_height.height, 60);
  auto by_width = thumb(".png", "image/png", "150x0");
  EXPECT_EQ(by_width.width, 150);
  EXPECT_EQ(by_width.height, 300);
}

TEST_F(ThumbnailerTest, KeepsJpegAndGifAndMakesPngOfWebp) {
  std::string type;
  auto jpeg = thumb(".jpg", "image/jpeg", "40x30", 300, 600, &type);
  EXPECT_EQ(type, "image/jpeg");
  EXPECT_EQ(jpeg.width, 40);
  EXPECT_EQ(jpeg.height, 30);
  EXPECT_EQ(jpeg.center, 'g');
  // Decoded shrunk (a quarter of the size here): same size, same anchors.
  EXPECT_EQ(thumb(".jpg", "image/jpeg", "40x30t").center, 'r');
  EXPECT_EQ(thumb(".jpg", "image/jpeg", "40x30b").center, 'b');
  auto small = thumb(".jpg", "image/jpeg", "0x25", 300, 600);
  EXPECT_EQ(small.width, 13);
  EXPECT_EQ(small.height, 25);
  auto gif = thumb(".gif", "image/gif", "40x30t", 300, 600, &type);
  EXPECT_EQ(type, "image/gif");
  EXPECT_EQ(gif.center, 'r');
  auto webp = thumb(".webp", "image/webp", "40x30b", 300, 600, &type);
  EXPECT_EQ(type, "image/png");
  EXPECT_EQ(webp.center, 'b');
}

TEST_F(ThumbnailerTest, RefusesImagesPastThePixelLimit) {
  const fs::path source = dir_ / "big.png";
  testing::write_banded_image(source, 400, 300);
  EXPECT_THROW(make_thumbnail(source, "image/png", *parse_thumb_size("10x10"), dir_ / "t",
                              /*max_pixels=*/400 * 300 - 1),
               ThumbnailError);
  EXPECT_FALSE(fs::exists(dir_ / "t"));
}

TEST_F(ThumbnailerTest, RefusesContentThatIsNotTheClaimedImage) {
  const fs::path source = dir_ / "fake.png";
  std::ofstream(source) << "not a png at all";
  EXPECT_THROW(make_thumbnail(source, "image/png", *parse_thumb_size("10x10"), dir_ / "t"),
               ThumbnailError);
  // A real JPEG handed over as a PNG reaches only the PNG loader.
  const fs::path jpeg = dir_ / "photo.jpg";
  testing::write_banded_image(jpeg, 50, 50);
  EXPECT_THROW(make_thumbnail(jpeg, "image/png", *parse_thumb_size("10x10"), dir_ / "t"),
               ThumbnailError);
  EXPECT_THROW(make_thumbnail(jpeg, "image/svg+xml", *parse_thumb_size("10x10"), dir_ / "t"),
               ThumbnailError);
}

TEST(ThumbnailSourceTypes, OnlyTheFourFormats) {
  for (std::string_view type :
       {"image/png", "image/jpg", "image/jpeg", "image/gif", "image/webp"}) {
    EXPECT_TRUE(is_thumbnail_source_type(type)) << type;
  }
  for (std::string_view type : {"image/svg+xml", "image/bmp", "image/tiff", "application/pdf"}) {
    EXPECT_FALSE(is_thumbnail_source_type(type)) << type;
  }
}

}  // namespace
}  // namespace basalt::files
