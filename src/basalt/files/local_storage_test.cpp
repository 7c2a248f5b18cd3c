#include "basalt/files/local_storage.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "basalt/files/testing/storage_contract.hpp"

namespace basalt::files {
namespace {

namespace fs = std::filesystem;

using test_support::StorageBackend;
using test_support::StorageContractTest;

INSTANTIATE_TEST_SUITE_P(Local, StorageContractTest,
                         ::testing::Values(StorageBackend{"Local",
                                                          [](const fs::path& scratch) {
                                                            return std::make_shared<LocalStorage>(
                                                                scratch / "storage");
                                                          }}),
                         [](const auto& info) { return info.param.name; });

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

class LocalStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() /
            ("basalt_local_storage_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    fs::create_directories(base_ / "spool");
    storage_.emplace(base_ / "storage");
  }
  void TearDown() override { fs::remove_all(base_); }

  core::TempFile spooled(std::string_view content) {
    core::TempFile file = core::TempFile::create(base_ / "spool", "upload");
    file.write(content);
    file.close();
    return file;
  }

  fs::path base_;
  std::optional<LocalStorage> storage_;
};

TEST_F(LocalStorageTest, PutCopiesAndLeavesTheSource) {
  core::TempFile source = spooled("hello");
  storage_->put_file("c1/r1/a.txt", source.path(), "text/plain");
  EXPECT_TRUE(fs::exists(source.path()));
  EXPECT_EQ(read_all(base_ / "storage/c1/r1/a.txt"), "hello");
  auto info = storage_->stat("c1/r1/a.txt");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->size, 5u);
  EXPECT_EQ(info->etag.front(), '"');
  // Only the object: the staging sibling was renamed away.
  EXPECT_EQ(storage_->list(""), std::vector<std::string>{"c1/r1/a.txt"});
}

TEST_F(LocalStorageTest, PutMovingRenamesAndReleases) {
  core::TempFile source = spooled("moved");
  const fs::path spool_path = source.path();
  storage_->put_file_moving("c1/r1/b.bin", source, "");
  EXPECT_FALSE(source);
  EXPECT_FALSE(fs::exists(spool_path));
  EXPECT_EQ(read_all(*storage_->local_path("c1/r1/b.bin")), "moved");
}

TEST_F(LocalStorageTest, PutReplacesWhole) {
  core::TempFile first = spooled("first version");
  core::TempFile second = spooled("2nd");
  storage_->put_file("c/r/x", first.path(), "");
  storage_->put_file("c/r/x", second.path(), "");
  EXPECT_EQ(storage_->read_range("c/r/x", 0, 100), "2nd");
}

TEST_F(LocalStorageTest, ReadRangeIsBounded) {
  core::TempFile source = spooled("0123456789");
  storage_->put_file("c/r/n", source.path(), "");
  EXPECT_EQ(storage_->read_range("c/r/n", 2, 3), "234");
  EXPECT_EQ(storage_->read_range("c/r/n", 8, 100), "89");
  EXPECT_EQ(storage_->read_range("c/r/n", 20, 5), "");
  try {
    storage_->read_range("c/r/missing", 0, 1);
    FAIL() << "expected StorageError";
  } catch (const StorageError& error) {
    EXPECT_TRUE(error.not_found());
  }
}

TEST_F(LocalStorageTest, RemoveAndRemovePrefixCleanEmptyDirectories) {
  core::TempFile a = spooled("a");
  storage_->put_file("c/r1/a", a.path(), "");
  storage_->put_file("c/r1/thumbs_a/10x10_a", a.path(), "");
  storage_->put_file("c/r2/b", a.path(), "");
  storage_->remove("c/r2/b");
  EXPECT_FALSE(fs::exists(base_ / "storage/c/r2"));
  storage_->remove("c/r2/b");  // missing: fine
  EXPECT_FALSE(storage_->stat("c/r2/b"));
  storage_->remove_prefix("c/r1");
  EXPECT_TRUE(storage_->list("").empty());
  EXPECT_TRUE(fs::exists(base_ / "storage"));
  EXPECT_TRUE(fs::is_empty(base_ / "storage"));
}

TEST_F(LocalStorageTest, ListsByPrefix) {
  core::TempFile a = spooled("a");
  storage_->put_file("c1/r1/a", a.path(), "");
  storage_->put_file("c1/r2/b", a.path(), "");
  storage_->put_file("c2/r1/c", a.path(), "");
  auto keys = storage_->list("c1");
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"c1/r1/a", "c1/r2/b"}));
  EXPECT_TRUE(storage_->list("c9").empty());
}

TEST_F(LocalStorageTest, RefusesKeysOutsideTheRoot) {
  core::TempFile a = spooled("a");
  EXPECT_THROW(storage_->put_file("../escape", a.path(), ""), StorageError);
  EXPECT_THROW(storage_->put_file_moving("/abs", a, ""), StorageError);
  EXPECT_TRUE(a);  // a failed move leaves the source with its owner
  EXPECT_THROW(storage_->remove("c/../../x"), StorageError);
  EXPECT_FALSE(fs::exists(base_ / "escape"));
}

}  // namespace
}  // namespace basalt::files
