// The collections API refuses every caller but superusers: 401 for guests, 403 for a signed-in
// record of another auth collection (a `users` record, written straight into data.db because
// the records API comes later).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <filesystem>

#include "basalt/auth/password_hasher.hpp"
#include "basalt/auth/tokens.hpp"
#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "command.hpp"
#include "http_client.hpp"
#include "server_process.hpp"

namespace basalt::testing {
namespace {

std::string sign_in(int port, std::string_view collection, std::string_view email,
                    std::string_view password) {
  auto response =
      call(port, "POST", "/api/collections/" + std::string(collection) + "/auth-with-password", {},
           R"({"identity":")" + std::string(email) + R"(","password":")" + std::string(password) +
               R"("})");
  EXPECT_TRUE(response && response->status == 200) << (response ? response->body : "no answer");
  if (!response || response->status != 200) return {};
  return std::string(boost::json::parse(response->body).at("token").as_string());
}

TEST(CollectionsApiAccessTest, OnlySuperusersGetIn) {
  char pattern[] = "/tmp/basalt-capi-XXXXXX";
  const std::string root = mkdtemp(pattern);
  const std::string dir = root + "/data";
  ASSERT_EQ(run_basalt(
                {"superuser", "upsert", "admin@example.com", "correct horse battery", "--dir", dir})
                .exit_code,
            0);
  {
    db::SqliteOptions options;
    options.data_dir = dir;
    options.statement_timeout = std::chrono::seconds(5);
    auto database = db::open_sqlite(options);
    const std::string hash = auth::PasswordHasher().hash("user password 1");
    db::testing::sync_wait(database->write([&](db::Transaction& tx)
                                               -> boost::asio::awaitable<void> {
      co_await tx.execute(
          "INSERT INTO users (id, email, password, tokenKey, verified) VALUES (?1, ?2, ?3, ?4, 1)",
          std::string("user00000000001"), std::string("user@example.com"), hash,
          auth::new_token_key());
    }));
  }
  ServerProcess server({"--dir", dir});
  const std::string user = sign_in(server.port(), "users", "user@example.com", "user password 1");
  const std::string admin =
      sign_in(server.port(), "_superusers", "admin@example.com", "correct horse battery");
  ASSERT_FALSE(user.empty());
  ASSERT_FALSE(admin.empty());

  EXPECT_EQ(call(server.port(), "GET", "/api/collections")->status, 401);
  EXPECT_EQ(call(server.port(), "GET", "/api/collections", user)->status, 403);
  EXPECT_EQ(call(server.port(), "GET", "/api/collections", admin)->status, 200);
  EXPECT_EQ(call(server.port(), "POST", "/api/collections", user, R"({"name":"x"})")->status, 403);
  EXPECT_EQ(call(server.port(), "DELETE", "/api/collections/users", user)->status, 403);
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace basalt::testing
