// `basalt superuser upsert|delete` against a real data directory.
#include <gtest/gtest.h>

#include <filesystem>

#include "command.hpp"

namespace basalt::testing {
namespace {

class SuperuserCliTest : public ::testing::Test {
 protected:
  SuperuserCliTest() {
    char pattern[] = "/tmp/basalt-su-XXXXXX";
    dir_ = mkdtemp(pattern);
  }
  ~SuperuserCliTest() override { std::filesystem::remove_all(dir_); }

  CommandResult run(std::vector<std::string> args) {
    args.push_back("--dir");
    args.push_back(dir_ + "/data");
    return run_basalt(args);
  }

  std::string dir_;
};

TEST_F(SuperuserCliTest, UpsertCreatesThenUpdatesCaseInsensitively) {
  CommandResult created =
      run({"superuser", "upsert", "admin@example.com", "correct horse battery"});
  EXPECT_EQ(created.exit_code, 0) << created.err;
  EXPECT_NE(created.out.find("Created superuser"), std::string::npos);
  CommandResult updated =
      run({"superuser", "upsert", "ADMIN@example.com", "another good password"});
  EXPECT_EQ(updated.exit_code, 0) << updated.err;
  EXPECT_NE(updated.out.find("Updated the password"), std::string::npos);
}

TEST_F(SuperuserCliTest, InvalidInputIsRefusedWithTheFieldErrors) {
  CommandResult short_password = run({"superuser", "upsert", "admin@example.com", "short"});
  EXPECT_EQ(short_password.exit_code, 1);
  EXPECT_NE(short_password.err.find("validation_min_text_constraint"), std::string::npos)
      << short_password.err;
  CommandResult bad_email = run({"superuser", "upsert", "not-an-email", "long enough password"});
  EXPECT_EQ(bad_email.exit_code, 1);
  EXPECT_NE(bad_email.err.find("validation_is_email"), std::string::npos) << bad_email.err;
  // Nothing was stored: deleting finds no superuser.
  EXPECT_EQ(run({"superuser", "delete", "admin@example.com"}).exit_code, 1);
}

TEST_F(SuperuserCliTest, DeleteRemovesOnlyAnExistingSuperuser) {
  ASSERT_EQ(run({"superuser", "upsert", "admin@example.com", "correct horse battery"}).exit_code,
            0);
  CommandResult deleted = run({"superuser", "delete", "admin@example.com"});
  EXPECT_EQ(deleted.exit_code, 0) << deleted.err;
  CommandResult again = run({"superuser", "delete", "admin@example.com"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("no superuser"), std::string::npos);
}

TEST_F(SuperuserCliTest, MissingArgumentsAreAUsageError) {
  EXPECT_EQ(run({"superuser", "upsert", "admin@example.com"}).exit_code, 2);
}

}  // namespace
}  // namespace basalt::testing
