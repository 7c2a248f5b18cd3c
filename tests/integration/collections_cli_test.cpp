// `basalt collections export|import` against real data directories, and the data directory
// lock between a running server and a command.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "command.hpp"
#include "http_client.hpp"
#include "server_process.hpp"

namespace basalt::testing {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

class CollectionsCliTest : public ::testing::Test {
 protected:
  CollectionsCliTest() {
    char pattern[] = "/tmp/basalt-cli-XXXXXX";
    dir_ = mkdtemp(pattern);
  }
  ~CollectionsCliTest() override { fs::remove_all(dir_); }

  std::string data() const { return dir_ + "/data"; }

  std::string write_file(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  json::array exported() {
    CommandResult result = run_basalt({"collections", "export", "--dir", data()});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return json::parse(result.out).as_array();
  }

  static bool has(const json::array& collections, std::string_view name) {
    for (const auto& c : collections) {
      if (c.at("name").as_string() == name) return true;
    }
    return false;
  }

  std::string dir_;
};

TEST_F(CollectionsCliTest, FreshDirectoryExportsTheSystemCollections) {
  json::array collections = exported();
  for (auto name : {"_superusers", "users", "_externalAuths", "_mfas", "_otps", "_authOrigins"}) {
    EXPECT_TRUE(has(collections, name)) << name;
  }
}

TEST_F(CollectionsCliTest, ImportThenExportToAFile) {
  std::string file = write_file("schema.json", R"({"collections":[
      {"name":"posts","type":"base","fields":[{"name":"title","type":"text","required":true}]},
      {"name":"post_titles","type":"view","viewQuery":"SELECT id, title FROM posts"}]})");
  CommandResult import = run_basalt({"collections", "import", file, "--dir", data()});
  ASSERT_EQ(import.exit_code, 0) << import.err;
  std::string out = dir_ + "/out.json";
  ASSERT_EQ(run_basalt({"collections", "export", out, "--dir", data()}).exit_code, 0);
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  json::array collections = json::parse(text.str()).as_array();
  EXPECT_TRUE(has(collections, "posts"));
  EXPECT_TRUE(has(collections, "post_titles"));
}

TEST_F(CollectionsCliTest, BadImportChangesNothingAndPrintsEveryProblem) {
  const std::size_t before = exported().size();
  std::string file = write_file("bad.json", R"([
      {"name":"fine","type":"base"},
      {"name":"bad name","type":"base"},
      {"name":"worse","type":"base","fields":[{"name":"x","type":"nope"}]}])");
  CommandResult result = run_basalt({"collections", "import", file, "--dir", data()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("Failed to import collections."), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("\"1\""), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("\"2\""), std::string::npos) << result.err;
  json::array after = exported();
  EXPECT_EQ(after.size(), before);
  EXPECT_FALSE(has(after, "fine"));
}

TEST_F(CollectionsCliTest, NotJsonIsAClearError) {
  std::string file = write_file("broken.json", "{not json");
  CommandResult result = run_basalt({"collections", "import", file, "--dir", data()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("not valid JSON"), std::string::npos) << result.err;
}

TEST_F(CollectionsCliTest, DeleteMissingRemovesUnlistedCollections) {
  ASSERT_EQ(run_basalt({"collections", "import",
                        write_file("a.json", R"([{"name":"a","type":"base"}])"), "--dir", data()})
                .exit_code,
            0);
  ASSERT_EQ(
      run_basalt({"collections", "import", write_file("b.json", R"([{"name":"b","type":"base"}])"),
                  "--dir", data(), "--delete-missing"})
          .exit_code,
      0);
  json::array collections = exported();
  EXPECT_FALSE(has(collections, "a"));
  EXPECT_TRUE(has(collections, "b"));
  EXPECT_TRUE(has(collections, "_superusers"));
}

// A running server holds the directory: the commands go through its admin socket and its own
// services, so the server sees the change at once.
TEST_F(CollectionsCliTest, ARunningServerRunsTheCommandsItself) {
  ServerProcess server({"--dir", data()});  // a later --dir wins over the fixture's
  EXPECT_EQ(fs::status(data() + "/admin.sock").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  CommandResult imported = run_basalt(
      {"collections", "import",
       write_file("c.json", R"([{"name":"live","type":"base","listRule":""}])"), "--dir", data()});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_TRUE(has(exported(), "live"));
  CommandResult created =
      run_basalt({"superuser", "upsert", "live@example.com", "live password 1", "--dir", data()});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_NE(created.out.find("Created superuser"), std::string::npos);
  CommandResult refused =
      run_basalt({"superuser", "upsert", "live@example.com", "short", "--dir", data()});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("validation_min_text_constraint"), std::string::npos) << refused.err;

  // The server answers with what the commands did: the new superuser signs in, and the new
  // collection is served.
  auto signed_in = request(server.port(),
                           "POST /api/collections/_superusers/auth-with-password HTTP/1.1\r\n"
                           "Host: t\r\nContent-Type: application/json\r\nContent-Length: 60\r\n\r\n"
                           R"({"identity":"live@example.com","password":"live password 1"})");
  ASSERT_TRUE(signed_in);
  EXPECT_EQ(signed_in->status, 200) << signed_in->body;
  auto listed =
      request(server.port(), "GET /api/collections/live/records HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->status, 200) << listed->body;
}

TEST_F(CollectionsCliTest, AServerWithoutItsAdminSocketIsReportedClearly) {
  ServerProcess server({"--dir", data()});
  fs::remove(data() + "/admin.sock");
  CommandResult result = run_basalt({"collections", "export", "--dir", data()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("in use by another basalt process"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("admin socket"), std::string::npos) << result.err;
}

TEST_F(CollectionsCliTest, CollectionsSurviveAServerRestart) {
  ASSERT_EQ(
      run_basalt({"collections", "import",
                  write_file("c.json", R"([{"name":"kept","type":"base"}])"), "--dir", data()})
          .exit_code,
      0);
  {
    ServerProcess server({"--dir", data()});
    server.signal(SIGTERM);
    ASSERT_EQ(server.wait_exit(), 0);
  }
  EXPECT_TRUE(has(exported(), "kept"));
}

}  // namespace
}  // namespace basalt::testing
