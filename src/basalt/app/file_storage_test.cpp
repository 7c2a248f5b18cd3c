#include "basalt/app/file_storage.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "basalt/collections/collection_service.hpp"
#include "basalt/core/clock.hpp"
#include "basalt/db/migrations.hpp"
#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/db/testing/temp_dir.hpp"

namespace basalt::app {
namespace {

using db::testing::sync_wait;

class LocalOnly final : public files::Storage {
 public:
  std::string_view kind() const noexcept override { return "local"; }
  void put_file(std::string_view, const std::filesystem::path&, std::string_view) override {}
  std::optional<files::ObjectInfo> stat(std::string_view) override { return std::nullopt; }
  std::string read_range(std::string_view, std::uint64_t, std::uint64_t) override { return {}; }
  std::optional<std::filesystem::path> local_path(std::string_view) override {
    return std::nullopt;
  }
  void remove(std::string_view) override {}
  void remove_prefix(std::string_view) override {}
  std::vector<std::string> list(std::string_view) override { return {}; }
};

TEST(FollowS3Settings, TheBackendFollowsSettingsS3Enabled) {
  db::testing::TempDir dir;
  db::SqliteOptions options;
  options.data_dir = dir.path();
  options.statement_timeout = std::chrono::seconds(5);
  auto database = db::open_sqlite(options);
  core::ManualClock clock;
  sync_wait(
      db::apply_migrations(*database, collections::system_migrations(database->dialect(), clock)));
  settings::SettingsService service(*database, clock);
  sync_wait(service.load());

  auto local = std::make_shared<LocalOnly>();
  files::ActiveStorage storage(local);
  follow_s3_settings(service, storage);
  EXPECT_EQ(storage.get(), local);

  const auto enable = boost::json::parse(
                          R"({"s3":{"enabled":true,"bucket":"b","region":"us-east-1",
                              "endpoint":"http://127.0.0.1:9","accessKey":"k","secret":"s"}})")
                          .as_object();
  sync_wait(service.patch(enable));
  EXPECT_EQ(storage.get()->kind(), "s3");

  const auto disable = boost::json::parse(R"({"s3":{"enabled":false}})").as_object();
  sync_wait(service.patch(disable));
  EXPECT_EQ(storage.get(), local);
}

}  // namespace
}  // namespace basalt::app
