// `basalt collections export|import` against real data directories, and the data directory
// lock between a running server and a command.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "command.hpp"
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

TEST_F(CollectionsCliTest, ADirectoryInUseByAServerIsRefused) {
  ServerProcess server({"--dir", data()});  // a later --dir wins over the fixture's
  CommandResult result = run_basalt({"collections", "export", "--dir", data()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("in use by another basalt process"), std::string::npos) << result.err;
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
