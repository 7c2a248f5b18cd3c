#include "basalt/backups/backup_names.hpp"

#include <gtest/gtest.h>

namespace basalt::backups {
namespace {

TEST(BackupNamesTest, ValidNamesFollowPocketBasesRule) {
  for (std::string_view name : {"a.zip", "pb_backup_acme_20240102030405.zip", "x-1_2.zip"}) {
    EXPECT_TRUE(valid_backup_name(name)) << name;
  }
  for (std::string_view name : {"", ".zip", "A.zip", "a.ZIP", "a.tar", "a b.zip", "../a.zip",
                                "a/b.zip", "a.zip.zip/", "@auto.zip", "a.zip\n"}) {
    EXPECT_FALSE(valid_backup_name(name)) << name;
  }
  EXPECT_TRUE(valid_backup_name(std::string(146, 'a') + ".zip"));   // 150
  EXPECT_FALSE(valid_backup_name(std::string(147, 'a') + ".zip"));  // 151
}

TEST(BackupNamesTest, KeysAlsoTakePocketBasesScheduledPrefix) {
  EXPECT_TRUE(valid_backup_key("@auto_pb_backup_acme_20240102030405.zip"));
  EXPECT_TRUE(valid_backup_key("a.zip"));
  EXPECT_FALSE(valid_backup_name("@auto_pb_backup_acme_20240102030405.zip"));
  for (std::string_view key : {"@", "@@a.zip", "@../a.zip", "a/@b.zip", ""}) {
    EXPECT_FALSE(valid_backup_key(key)) << key;
  }
}

TEST(BackupNamesTest, SnakecaseAsPocketBasesInflector) {
  EXPECT_EQ(snakecase("Acme"), "acme");
  EXPECT_EQ(snakecase("myTestDB"), "my_test_db");
  EXPECT_EQ(snakecase("Acme Inc."), "acme_inc");
  EXPECT_EQ(snakecase("  my__app--v2 "), "my_app_v2");
  EXPECT_EQ(snakecase("Ünïcode App"), "n_code_app");  // non-ASCII bytes separate words
  EXPECT_EQ(snakecase("!!!"), "");
}

TEST(BackupNamesTest, DefaultNameHasTheSnakeAppNameAndUtcTime) {
  const auto when = std::chrono::sys_days{std::chrono::year{2024} / 3 / 9} + std::chrono::hours(7) +
                    std::chrono::minutes(5) + std::chrono::seconds(2);
  EXPECT_EQ(default_backup_name("pb_backup_", "My App", when),
            "pb_backup_my_app_20240309070502.zip");
  const std::string name = default_backup_name("pb_backup_", std::string(80, 'a'), when);
  EXPECT_EQ(name, "pb_backup_" + std::string(50, 'a') + "_20240309070502.zip");
  EXPECT_TRUE(valid_backup_name(name));
}

}  // namespace
}  // namespace basalt::backups
