#include "basalt/files/file_service.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "basalt/files/testing/directory_storage.hpp"
#include "basalt/files/testing/test_images.hpp"

namespace basalt::files {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;

template <typename T>
T wait(asio::awaitable<T> awaitable) {
  asio::io_context context;
  auto result = asio::co_spawn(context, std::move(awaitable), asio::use_future);
  context.run();
  return result.get();
}

// Parameterised by the backend's kind: local (sendfile path) or remote (chunks).
class FileServiceTest : public ::testing::TestWithParam<bool> {
 protected:
  FileServiceTest() {
    dir_ = fs::temp_directory_path() / ("basalt_file_service_" + std::to_string(::getpid()) + "_" +
                                        std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::remove_all(dir_);
    storage_ = std::make_shared<testing::DirectoryStorage>(dir_ / "storage", GetParam());
    FileServiceOptions options;
    options.temp_dir = dir_ / "tmp";
    service_ = std::make_unique<FileService>(storage_, options);
  }
  ~FileServiceTest() override {
    service_.reset();
    fs::remove_all(dir_);
  }

  fs::path dir_;
  std::shared_ptr<testing::DirectoryStorage> storage_;
  std::unique_ptr<FileService> service_;
};

TEST_P(FileServiceTest, OpensAnObjectWithItsDetectedType) {
  const std::string png = testing::banded_image(".png", 30, 30);
  storage_->write("c1/r1/photo_abc.png", png);
  std::optional<OpenedObject> object = wait(service_->open(storage_, "c1/r1/photo_abc.png"));
  ASSERT_TRUE(object);
  EXPECT_EQ(object->content_type, "image/png");
  EXPECT_EQ(object->info.size, png.size());
  EXPECT_FALSE(object->info.etag.empty());
  EXPECT_EQ(object->fd() >= 0, !GetParam());  // a descriptor only for a local backend
  EXPECT_EQ(wait(service_->read(storage_, "c1/r1/photo_abc.png", 1, 3)), png.substr(1, 3));
}

TEST_P(FileServiceTest, AnEmptyObjectOpensWithoutAReadPastItsEnd) {
  storage_->write("c1/r1/empty_abc.txt", "");
  std::optional<OpenedObject> object = wait(service_->open(storage_, "c1/r1/empty_abc.txt"));
  ASSERT_TRUE(object);
  EXPECT_FALSE(object->content_type.empty());
  EXPECT_EQ(object->info.size, 0u);
  EXPECT_EQ(storage_->reads_past_end(), 0);

  storage_->write("c1/r1/short_abc.txt", "short");
  object = wait(service_->open(storage_, "c1/r1/short_abc.txt"));
  ASSERT_TRUE(object);
  EXPECT_EQ(object->content_type, "text/plain; charset=utf-8");  // as PocketBase serves text
  EXPECT_EQ(storage_->reads_past_end(), 0);
}

TEST_P(FileServiceTest, AMissingObjectIsNone) {
  EXPECT_FALSE(wait(service_->open(storage_, "c1/r1/none.txt")));
}

TEST_P(FileServiceTest, ConcurrentFirstRequestsMakeAThumbnailOnce) {
  storage_->write("c1/r1/p.jpg", testing::banded_image(".jpg", 200, 100));
  asio::io_context context;
  int made = 0;
  for (int i = 0; i < 4; ++i) {
    asio::co_spawn(
        context,
        [&]() -> asio::awaitable<void> {
          if (co_await service_->ensure_thumbnail(storage_, "c1/r1/p.jpg",
                                                  "c1/r1/thumbs_p.jpg/50x50_p.jpg",
                                                  *parse_thumb_size("50x50"), "image/jpeg")) {
            ++made;
          }
        },
        asio::detached);
  }
  context.run();
  EXPECT_EQ(made, 4);
  EXPECT_EQ(storage_->puts(), 1);
  std::optional<OpenedObject> thumb =
      wait(service_->open(storage_, "c1/r1/thumbs_p.jpg/50x50_p.jpg"));
  ASSERT_TRUE(thumb);
  EXPECT_EQ(thumb->content_type, "image/jpeg");
  const auto facts =
      testing::inspect_image(storage_->read_range("c1/r1/thumbs_p.jpg/50x50_p.jpg", 0, 1 << 20));
  EXPECT_EQ(facts.width, 50);
  EXPECT_EQ(facts.height, 50);
  // Asked again, it exists: nothing is made.
  EXPECT_TRUE(
      wait(service_->ensure_thumbnail(storage_, "c1/r1/p.jpg", "c1/r1/thumbs_p.jpg/50x50_p.jpg",
                                      *parse_thumb_size("50x50"), "image/jpeg")));
  EXPECT_EQ(storage_->puts(), 1);
}

TEST_P(FileServiceTest, AFailedThumbnailIsReportedAndLeavesNothing) {
  storage_->write("c1/r1/broken.png", "\x89PNG\r\n\x1a\n truncated");
  EXPECT_FALSE(wait(service_->ensure_thumbnail(storage_, "c1/r1/broken.png",
                                               "c1/r1/thumbs_broken.png/100x100_broken.png",
                                               *parse_thumb_size("100x100"), "image/png")));
  EXPECT_EQ(storage_->puts(), 0);
  EXPECT_TRUE(fs::is_empty(dir_ / "tmp"));
}

INSTANTIATE_TEST_SUITE_P(Backends, FileServiceTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Remote" : "Local"; });

}  // namespace
}  // namespace basalt::files
