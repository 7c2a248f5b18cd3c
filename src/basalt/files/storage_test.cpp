#include "basalt/files/storage.hpp"

#include <gtest/gtest.h>

namespace basalt::files {
namespace {

TEST(CheckKey, AcceptsRelativePaths) {
  EXPECT_NO_THROW(check_key("pbc_1/abc/photo_Ab3dE5gH7j.png"));
  EXPECT_NO_THROW(check_key("pbc_1/abc/thumbs_a.png/100x100_a.png"));
  EXPECT_NO_THROW(check_key("a..b/c"));
}

TEST(CheckKey, RefusesKeysThatEscapeTheRoot) {
  for (std::string_view key : {"", "/abs", "a/", "a//b", "a/./b", "../a", "a/..", "a\\b"}) {
    EXPECT_THROW(check_key(key), StorageError) << key;
  }
  EXPECT_THROW(check_key(std::string_view("a\0b", 3)), StorageError);
}

}  // namespace
}  // namespace basalt::files
