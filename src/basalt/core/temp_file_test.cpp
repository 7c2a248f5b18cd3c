#include "basalt/core/temp_file.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace basalt::core {
namespace {

namespace fs = std::filesystem;

class TempFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("basalt_tempfile_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST_F(TempFileTest, WritesAndUnlinksOnDestruction) {
  fs::path path;
  {
    TempFile file = TempFile::create(dir_, "upload");
    path = file.path();
    EXPECT_EQ(path.parent_path(), dir_);
    file.write("hello ");
    file.write("world");
    EXPECT_EQ(file.size(), 11u);
    file.close();
    EXPECT_EQ(read_all(path), "hello world");
  }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(TempFileTest, MoveTransfersOwnershipAndReleaseKeepsTheFile) {
  TempFile first = TempFile::create(dir_, "a");
  const fs::path path = first.path();
  TempFile second = std::move(first);
  EXPECT_FALSE(first);
  EXPECT_EQ(second.path(), path);
  second.release();
  EXPECT_TRUE(fs::exists(path));
}

TEST_F(TempFileTest, AssignmentUnlinksTheReplacedFile) {
  TempFile a = TempFile::create(dir_, "a");
  TempFile b = TempFile::create(dir_, "b");
  const fs::path a_path = a.path();
  a = std::move(b);
  EXPECT_FALSE(fs::exists(a_path));
  EXPECT_TRUE(fs::exists(a.path()));
}

TEST_F(TempFileTest, CreateInAMissingDirectoryThrows) {
  EXPECT_THROW(TempFile::create(dir_ / "missing", "x"), std::system_error);
}

TEST_F(TempFileTest, WriteAfterCloseThrows) {
  TempFile file = TempFile::create(dir_, "x");
  file.close();
  EXPECT_THROW(file.write("x"), std::system_error);
}

}  // namespace
}  // namespace basalt::core
