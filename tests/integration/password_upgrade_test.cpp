// Data imported from PocketBase keeps bcrypt hashes: they must still sign in, and the first
// successful sign-in replaces the hash with argon2id.
#include <crypt.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <csignal>
#include <filesystem>

#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "command.hpp"
#include "http_client.hpp"
#include "server_process.hpp"

namespace basalt::testing {
namespace {

constexpr std::string_view kEmail = "admin@example.com";
constexpr std::string_view kPassword = "correct horse battery";

std::unique_ptr<db::Database> open(const std::string& dir) {
  db::SqliteOptions options;
  options.data_dir = dir;
  options.statement_timeout = std::chrono::seconds(5);
  return db::open_sqlite(options);
}

std::string stored_hash(const std::string& dir) {
  auto database = open(dir);
  auto rows = db::testing::sync_wait(
      database->query("SELECT password FROM _superusers WHERE email = ?1", std::string(kEmail)));
  return std::string(rows.at(0).as_text(0));
}

int sign_in(int port) {
  std::string body = R"({"identity":")" + std::string(kEmail) + R"(","password":")" +
                     std::string(kPassword) + R"("})";
  auto response =
      request(port,
              "POST /api/collections/_superusers/auth-with-password HTTP/1.1\r\nHost: t\r\n"
              "Content-Type: application/json\r\nContent-Length: " +
                  std::to_string(body.size()) + "\r\n\r\n" + body);
  return response ? response->status : -1;
}

TEST(PasswordUpgradeTest, BcryptHashSignsInAndIsReplacedByArgon2id) {
  char pattern[] = "/tmp/basalt-bcrypt-XXXXXX";
  const std::string root = mkdtemp(pattern);
  const std::string dir = root + "/data";
  ASSERT_EQ(
      run_basalt({"superuser", "upsert", std::string(kEmail), std::string(kPassword), "--dir", dir})
          .exit_code,
      0);
  // Replace the hash with a bcrypt one, as a PocketBase data.db holds.
  {
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    ASSERT_NE(crypt_gensalt_rn("$2b$", 10, nullptr, 0, setting, sizeof setting), nullptr);
    crypt_data data{};
    const char* bcrypt = crypt_r(std::string(kPassword).c_str(), setting, &data);
    ASSERT_NE(bcrypt, nullptr);
    auto database = open(dir);
    db::testing::sync_wait(
        database->write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
          co_await tx.execute("UPDATE _superusers SET password = ?1", std::string(bcrypt));
        }));
  }
  ASSERT_EQ(stored_hash(dir).rfind("$2b$", 0), 0u);

  {
    ServerProcess server({"--dir", dir});
    EXPECT_EQ(sign_in(server.port()), 200);
    EXPECT_EQ(sign_in(server.port()), 200);  // and again, now against the new hash
    server.signal(SIGTERM);
    ASSERT_EQ(server.wait_exit(), 0);
  }
  EXPECT_EQ(stored_hash(dir).rfind("$argon2id$", 0), 0u);
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace basalt::testing
