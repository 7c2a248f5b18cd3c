#include "basalt/files/active_storage.hpp"

#include <gtest/gtest.h>

namespace basalt::files {
namespace {

// A backend that only says what it is: ActiveStorage never calls into the backends it holds.
class NamedStorage final : public Storage {
 public:
  std::string_view kind() const noexcept override { return "local"; }
  void put_file(std::string_view, const std::filesystem::path&, std::string_view) override {}
  std::optional<ObjectInfo> stat(std::string_view) override { return std::nullopt; }
  std::string read_range(std::string_view, std::uint64_t, std::uint64_t) override { return {}; }
  std::optional<std::filesystem::path> local_path(std::string_view) override {
    return std::nullopt;
  }
  void remove(std::string_view) override {}
  void remove_prefix(std::string_view) override {}
  std::vector<std::string> list(std::string_view) override { return {}; }
};

S3Config valid_config() {
  return {.bucket = "b",
          .region = "us-east-1",
          .endpoint = "http://127.0.0.1:9",
          .access_key = "k",
          .secret = "s",
          .force_path_style = true};
}

TEST(ActiveStorage, StartsLocalAndFollowsTheS3Settings) {
  auto local = std::make_shared<NamedStorage>();
  ActiveStorage storage(local);
  EXPECT_EQ(storage.get(), local);

  storage.apply(valid_config());
  const std::shared_ptr<Storage> s3 = storage.get();
  EXPECT_EQ(s3->kind(), "s3");

  storage.apply(valid_config());  // unchanged settings keep the same backend
  EXPECT_EQ(storage.get(), s3);

  S3Config other = valid_config();
  other.secret = "rotated";
  storage.apply(other);
  EXPECT_NE(storage.get(), s3);
  EXPECT_EQ(storage.get()->kind(), "s3");

  storage.apply(std::nullopt);
  EXPECT_EQ(storage.get(), local);
}

TEST(ActiveStorage, AnOperationInFlightKeepsTheBackendItTook) {
  ActiveStorage storage(std::make_shared<NamedStorage>());
  storage.apply(valid_config());
  std::shared_ptr<Storage> in_flight = storage.get();
  std::weak_ptr<Storage> watch = in_flight;
  storage.apply(std::nullopt);
  EXPECT_FALSE(watch.expired());
  EXPECT_EQ(in_flight->kind(), "s3");
  in_flight.reset();
  EXPECT_TRUE(watch.expired());
}

TEST(ActiveStorage, AConfigurationS3RefusesLeavesTheCurrentBackend) {
  auto local = std::make_shared<NamedStorage>();
  ActiveStorage storage(local);
  S3Config bad = valid_config();
  bad.endpoint = "ftp://nope";
  EXPECT_THROW(storage.apply(bad), StorageError);
  EXPECT_EQ(storage.get(), local);
  bad = valid_config();
  bad.bucket.clear();
  EXPECT_THROW(storage.apply(bad), StorageError);
  EXPECT_EQ(storage.get(), local);
  EXPECT_THROW(ActiveStorage(nullptr), std::invalid_argument);
}

TEST(MakeStorage, PicksTheBackendFromTheSettings) {
  auto local = std::make_shared<NamedStorage>();
  EXPECT_EQ(make_storage(std::nullopt, local), local);
  EXPECT_EQ(make_storage(valid_config(), local)->kind(), "s3");
}

}  // namespace
}  // namespace basalt::files
