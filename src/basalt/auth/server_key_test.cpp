// ServerKey: the key file is created once with owner-only permissions and read back; sealed
// values open only with the same key and context.
#include "basalt/auth/server_key.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "basalt/db/testing/temp_dir.hpp"

namespace basalt::auth {
namespace {

TEST(ServerKeyTest, TheKeyFileIsCreatedOwnerOnlyAndReusedAfterwards) {
  db::testing::TempDir dir;
  const auto path = dir.path() / std::string(kServerKeyFile);
  const ServerKey first = ServerKey::load_or_create(path);
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  const std::string sealed = first.seal("secret bytes", "c/r");
  const ServerKey again = ServerKey::load_or_create(path);
  EXPECT_EQ(again.open(sealed, "c/r"), "secret bytes");
}

TEST(ServerKeyTest, SealedValuesOpenOnlyWithTheSameKeyAndContext) {
  std::array<unsigned char, ServerKey::kBytes> bytes{};
  bytes[0] = 1;
  const ServerKey key(bytes);
  bytes[0] = 2;
  const ServerKey other(bytes);
  const std::string sealed = key.seal("abc", "users/1");
  EXPECT_NE(key.seal("abc", "users/1"), sealed);  // a fresh nonce each time
  EXPECT_EQ(key.open(sealed, "users/1"), "abc");
  EXPECT_EQ(key.open(sealed, "users/2"), std::nullopt);
  EXPECT_EQ(other.open(sealed, "users/1"), std::nullopt);
  EXPECT_EQ(key.open("not base64!", "users/1"), std::nullopt);
  EXPECT_EQ(key.open("", "users/1"), std::nullopt);
}

TEST(ServerKeyTest, AMalformedKeyFileIsAnError) {
  db::testing::TempDir dir;
  const auto path = dir.path() / "bad.key";
  std::ofstream(path) << "not hex\n";
  EXPECT_THROW(ServerKey::load_or_create(path), std::runtime_error);
}

}  // namespace
}  // namespace basalt::auth
