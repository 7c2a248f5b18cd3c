// DashboardFiles: what is read (regular files only, keys relative to the directory), what is
// refused (no index.html, a missing directory, too many files), MIME types and the gzip copies.
#include "basalt/api/dashboard_files.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace basalt::api {
namespace {

namespace fs = std::filesystem;

class DashboardDir {
 public:
  DashboardDir() {
    root_ = fs::temp_directory_path() / ("basalt-dashboard-test-" + std::to_string(::getpid()) +
                                         "-" + std::to_string(counter_++));
    fs::create_directories(root_ / "ui" / "assets");
  }
  ~DashboardDir() { fs::remove_all(root_); }
  DashboardDir(const DashboardDir&) = delete;
  DashboardDir& operator=(const DashboardDir&) = delete;

  fs::path ui() const { return root_ / "ui"; }
  fs::path root() const { return root_; }
  void write(const fs::path& relative, const std::string& text) const {
    std::ofstream(root_ / relative, std::ios::binary) << text;
  }

 private:
  static inline int counter_ = 0;
  fs::path root_;
};

TEST(DashboardFiles, ReadsTheTreeWithRelativeKeys) {
  DashboardDir dir;
  dir.write("ui/index.html", "<!doctype html>");
  dir.write("ui/assets/app-1a2b.js", "x()");
  dir.write("ui/favicon.svg", "<svg/>");
  DashboardFiles files(dir.ui());
  ASSERT_TRUE(files.available());
  EXPECT_EQ(files.size(), 3u);
  EXPECT_EQ(files.index()->bytes, "<!doctype html>");
  EXPECT_EQ(files.index()->content_type, "text/html; charset=utf-8");
  ASSERT_NE(files.find("assets/app-1a2b.js"), nullptr);
  EXPECT_EQ(files.find("assets/app-1a2b.js")->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(files.find("favicon.svg")->content_type, "image/svg+xml");
  EXPECT_EQ(files.find("assets/../index.html"), nullptr);
  EXPECT_EQ(files.find("/index.html"), nullptr);
  EXPECT_EQ(files.find("assets"), nullptr);
}

TEST(DashboardFiles, SymlinksAreNotFollowed) {
  DashboardDir dir;
  dir.write("ui/index.html", "i");
  dir.write("secret.txt", "secret");
  fs::create_symlink(dir.root() / "secret.txt", dir.ui() / "assets" / "leak.js");
  fs::create_directory_symlink(dir.root(), dir.ui() / "assets" / "up");
  DashboardFiles files(dir.ui());
  EXPECT_EQ(files.find("assets/leak.js"), nullptr);
  EXPECT_EQ(files.find("assets/up/secret.txt"), nullptr);
  EXPECT_EQ(files.size(), 1u);
}

TEST(DashboardFiles, WithoutIndexOrDirectoryNothingIsServed) {
  DashboardDir dir;
  dir.write("ui/assets/app.js", "x");
  EXPECT_FALSE(DashboardFiles(dir.ui()).available());
  EXPECT_FALSE(DashboardFiles(dir.root() / "absent").available());
}

TEST(DashboardFiles, TooManyFilesAreRefusedWhole) {
  DashboardDir dir;
  dir.write("ui/index.html", "i");
  for (std::size_t i = 0; i < kMaxDashboardFiles; ++i) {
    dir.write(fs::path("ui/assets") / ("f" + std::to_string(i) + ".js"), "x");
  }
  DashboardFiles files(dir.ui());
  EXPECT_FALSE(files.available());
  EXPECT_EQ(files.size(), 0u);
}

TEST(DashboardFiles, LargeTextFilesGetAGzipCopy) {
  DashboardDir dir;
  dir.write("ui/index.html", "small");
  dir.write("ui/assets/big.js", std::string(4096, 'a'));
  dir.write("ui/assets/big.png", std::string(4096, 'a'));
  DashboardFiles files(dir.ui());
  EXPECT_TRUE(files.index()->gzipped.empty());
  const DashboardFile* big = files.find("assets/big.js");
  ASSERT_NE(big, nullptr);
  EXPECT_FALSE(big->gzipped.empty());
  EXPECT_LT(big->gzipped.size(), big->bytes.size());
  EXPECT_TRUE(files.find("assets/big.png")->gzipped.empty());
}

TEST(DashboardContentType, FromTheExtension) {
  EXPECT_EQ(dashboard_content_type("a.css"), "text/css; charset=utf-8");
  EXPECT_EQ(dashboard_content_type("a.woff2"), "font/woff2");
  EXPECT_EQ(dashboard_content_type("a.json"), "application/json");
  EXPECT_EQ(dashboard_content_type("a.tar.gz"), "application/octet-stream");
  EXPECT_EQ(dashboard_content_type("noextension"), "application/octet-stream");
  EXPECT_EQ(dashboard_content_type(".js"), "text/javascript; charset=utf-8");
}

}  // namespace
}  // namespace basalt::api
