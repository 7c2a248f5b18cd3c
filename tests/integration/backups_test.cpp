// Backups end to end with the real binary (docs/backups.md): a backup taken while a client
// keeps writing, listed and downloaded with a superuser's file token, then uploaded to a fresh
// server and restored there (the process restarts itself in place on the same port); corrupt
// and truncated archives refused with nothing replaced; --restore-exit's exit code.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "command.hpp"
#include "http_client.hpp"
#include "server_process.hpp"

namespace basalt::testing {
namespace {

namespace json = boost::json;

constexpr std::string_view kEmail = "admin@example.com";
constexpr std::string_view kPassword = "backup password 1";

// A data directory with a superuser and a `notes` collection (a number and a file) anyone may
// create in.
std::string prepare_directory(const std::string& root) {
  const std::string dir = root + "/data";
  EXPECT_EQ(
      run_basalt({"superuser", "upsert", std::string(kEmail), std::string(kPassword), "--dir", dir})
          .exit_code,
      0);
  const std::string file = root + "/notes.json";
  std::ofstream(file) << R"([{"id":"pbc_5012345678","name":"notes","type":"base",
    "listRule":"","viewRule":"","createRule":"","fields":[{"name":"n","type":"number"},{"name":"doc","type":"file","maxSelect":1}]}])";
  EXPECT_EQ(run_basalt({"collections", "import", file, "--dir", dir}).exit_code, 0);
  return dir;
}

std::string make_root() {
  char pattern[] = "/tmp/basalt-backups-XXXXXX";
  return mkdtemp(pattern);
}

std::string sign_in(int port) {
  auto response = call(port, "POST", "/api/collections/_superusers/auth-with-password", {},
                       R"({"identity":")" + std::string(kEmail) + R"(","password":")" +
                           std::string(kPassword) + R"("})");
  EXPECT_TRUE(response && response->status == 200) << (response ? response->body : "no answer");
  if (!response || response->status != 200) return {};
  return std::string(json::parse(response->body).at("token").as_string());
}

std::string file_token(int port, const std::string& token) {
  auto response = call(port, "POST", "/api/files/token", token);
  EXPECT_TRUE(response && response->status == 200) << (response ? response->body : "no answer");
  return std::string(json::parse(response->body).at("token").as_string());
}

std::string create_note(int port, int n) {
  auto response = call(port, "POST", "/api/collections/notes/records", {},
                       R"({"n":)" + std::to_string(n) + "}");
  if (!response || response->status != 200) return {};
  return std::string(json::parse(response->body).at("id").as_string());
}

std::set<std::string> note_ids(int port) {
  std::set<std::string> ids;
  for (int page = 1;; ++page) {
    auto response = call(port, "GET",
                         "/api/collections/notes/records?perPage=1000&skipTotal=1&fields=id&page=" +
                             std::to_string(page));
    EXPECT_TRUE(response && response->status == 200);
    if (!response) break;
    const json::array items = json::parse(response->body).at("items").as_array();
    for (const auto& item : items) ids.insert(std::string(item.at("id").as_string()));
    if (items.size() < 1000) break;
  }
  return ids;
}

constexpr std::string_view kBoundary = "basaltBoundary7MA4YWxkTrZu0gW";

std::optional<HttpResponse> upload(int port, const std::string& token, std::string_view filename,
                                   std::string_view content) {
  return call(port, "POST", "/api/backups/upload", token,
              multipart_body(kBoundary, {{"file", std::string(content), std::string(filename),
                                          "application/zip"}}),
              "multipart/form-data; boundary=" + std::string(kBoundary));
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

std::string integrity(const std::string& database) {
  sqlite3* raw = nullptr;
  if (sqlite3_open_v2(database.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(raw);
    return "cannot open";
  }
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(raw, "PRAGMA integrity_check", -1, &statement, nullptr);
  std::string verdict = sqlite3_step(statement) == SQLITE_ROW
                            ? reinterpret_cast<const char*>(sqlite3_column_text(statement, 0))
                            : "no answer";
  sqlite3_finalize(statement);
  sqlite3_close(raw);
  return verdict;
}

TEST(BackupsTest, BackupUnderWriteLoadRestoresIntoAFreshServerThatRestartsInPlace) {
  const std::string root_a = make_root();
  const std::string dir_a = prepare_directory(root_a);
  ServerProcess a({"--dir", dir_a});
  const std::string token = sign_in(a.port());
  // A stored file: a note uploaded with one.
  auto with_file = call(a.port(), "POST", "/api/collections/notes/records", {},
                        multipart_body(kBoundary, {{"doc", "png bytes", "photo.png", "image/png"}}),
                        "multipart/form-data; boundary=" + std::string(kBoundary));
  ASSERT_TRUE(with_file && with_file->status == 200) << (with_file ? with_file->body : "");
  const json::object stored = json::parse(with_file->body).as_object();
  const std::string photo_key = "/storage/pbc_5012345678/" +
                                std::string(stored.at("id").as_string()) + "/" +
                                std::string(stored.at("doc").as_string());

  // A client writing notes for as long as the backup runs.
  std::mutex mutex;
  std::vector<std::string> acknowledged;  // guarded by mutex
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int n = 0; !stop.load(); ++n) {
      std::string id = create_note(a.port(), n);
      if (id.empty()) continue;
      std::lock_guard lock(mutex);
      acknowledged.push_back(std::move(id));
    }
  });
  while (true) {  // some writes before the backup starts
    std::lock_guard lock(mutex);
    if (acknowledged.size() >= 50) break;
  }
  std::vector<std::string> committed_before;
  {
    std::lock_guard lock(mutex);
    committed_before = acknowledged;
  }
  auto created = call(a.port(), "POST", "/api/backups", token, R"({"name":"load.zip"})");
  std::size_t written_during = 0;
  {
    std::lock_guard lock(mutex);
    written_during = acknowledged.size() - committed_before.size();
  }
  stop.store(true);
  writer.join();
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 204) << created->body;
  std::cout << "notes acknowledged while the backup ran: " << written_during << "\n";

  auto listed = call(a.port(), "GET", "/api/backups", token);
  ASSERT_TRUE(listed && listed->status == 200);
  const json::array list = json::parse(listed->body).as_array();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].at("key").as_string(), "load.zip");

  // The download needs a superuser's file token.
  auto refused = call(a.port(), "GET", "/api/backups/load.zip?token=nope");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  const std::string ftoken = file_token(a.port(), token);
  auto downloaded = call(a.port(), "GET", "/api/backups/load.zip?token=" + ftoken);
  ASSERT_TRUE(downloaded);
  ASSERT_EQ(downloaded->status, 200);
  EXPECT_EQ(downloaded->header("content-disposition"), "attachment; filename=load.zip");
  EXPECT_EQ(downloaded->body.size(), list[0].at("size").as_int64());
  const std::string archive = downloaded->body;

  // A fresh server on a fixed port: the archive is uploaded and restored there.
  const std::string root_b = make_root();
  const std::string dir_b = root_b + "/data";
  EXPECT_EQ(run_basalt({"superuser", "upsert", std::string(kEmail), std::string(kPassword), "--dir",
                        dir_b})
                .exit_code,
            0);
  const int port = free_port();
  ServerProcess b({"--dir", dir_b, "--http", "127.0.0.1:" + std::to_string(port)});
  const std::string token_b = sign_in(port);
  auto uploaded = upload(port, token_b, "load.zip", archive);
  ASSERT_TRUE(uploaded);
  ASSERT_EQ(uploaded->status, 204) << uploaded->body;
  auto restored = call(port, "POST", "/api/backups/load.zip/restore", token_b);
  ASSERT_TRUE(restored);
  ASSERT_EQ(restored->status, 204) << restored->body;
  // The same process, restarted in place, announces itself again on the same port.
  ASSERT_EQ(b.wait_announcement(), port) << b.stderr_text();

  const std::set<std::string> ids = note_ids(port);
  for (const std::string& id : committed_before) EXPECT_TRUE(ids.count(id)) << id;
  EXPECT_GE(ids.size(), committed_before.size());
  EXPECT_FALSE(sign_in(port).empty());  // the restored superuser
  b.signal(SIGTERM);
  EXPECT_EQ(b.wait_exit(), 0);
  EXPECT_EQ(integrity(dir_b + "/data.db"), "ok");
  EXPECT_FALSE(std::filesystem::exists(dir_b + "/.restore"));
  std::ifstream photo(dir_b + photo_key);
  std::string bytes((std::istreambuf_iterator<char>(photo)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes, "png bytes");
  std::filesystem::remove_all(root_a);
  std::filesystem::remove_all(root_b);
}

TEST(BackupsTest, CorruptAndTruncatedArchivesAreRefusedAndNothingIsReplaced) {
  const std::string root = make_root();
  const std::string dir = prepare_directory(root);
  ServerProcess server({"--dir", dir});
  const std::string token = sign_in(server.port());
  ASSERT_FALSE(create_note(server.port(), 1).empty());
  auto created = call(server.port(), "POST", "/api/backups", token, R"({"name":"good.zip"})");
  ASSERT_TRUE(created && created->status == 204);
  const std::string ftoken = file_token(server.port(), token);
  const std::string archive =
      call(server.port(), "GET", "/api/backups/good.zip?token=" + ftoken)->body;
  const std::string after = create_note(server.port(), 2);  // not in the backup
  ASSERT_FALSE(after.empty());

  std::string corrupt = archive;
  for (std::size_t i = 100; i < 140 && i < corrupt.size(); ++i) corrupt[i] ^= 0x55;
  for (const auto& [name, bytes] :
       {std::pair<std::string, std::string>{"truncated.zip", archive.substr(0, archive.size() / 2)},
        std::pair<std::string, std::string>{"corrupt.zip", corrupt}}) {
    auto response = upload(server.port(), token, name, bytes);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400) << name;
    const json::value body = json::parse(response->body);
    EXPECT_TRUE(body.at("data").as_object().contains("file")) << response->body;
  }
  // A corrupt archive that reached the store another way: the restore refuses it.
  std::ofstream(dir + "/backups/broken.zip", std::ios::binary) << corrupt;
  auto restore = call(server.port(), "POST", "/api/backups/broken.zip/restore", token);
  ASSERT_TRUE(restore);
  EXPECT_EQ(restore->status, 400) << restore->body;

  auto listed = call(server.port(), "GET", "/api/backups", token);
  const json::array list = json::parse(listed->body).as_array();
  ASSERT_EQ(list.size(), 2u);                         // good.zip and broken.zip, no upload
  EXPECT_TRUE(note_ids(server.port()).count(after));  // still serving the current data
  EXPECT_FALSE(std::filesystem::exists(dir + "/.restore"));
  std::filesystem::remove_all(root);
}

TEST(BackupsTest, RestoreExitLeavesTheSwapToTheNextStart) {
  const std::string root = make_root();
  const std::string dir = prepare_directory(root);
  std::string before;
  std::string after;
  {
    ServerProcess server({"--dir", dir, "--restore-exit", "true"});
    const std::string token = sign_in(server.port());
    before = create_note(server.port(), 1);
    auto created = call(server.port(), "POST", "/api/backups", token, R"({"name":"one.zip"})");
    ASSERT_TRUE(created && created->status == 204);
    after = create_note(server.port(), 2);
    auto restore = call(server.port(), "POST", "/api/backups/one.zip/restore", token);
    ASSERT_TRUE(restore && restore->status == 204);
    EXPECT_EQ(server.wait_exit(), 75);
  }
  ServerProcess next({"--dir", dir});
  const std::set<std::string> ids = note_ids(next.port());
  EXPECT_TRUE(ids.count(before));
  EXPECT_FALSE(ids.count(after));
  std::filesystem::remove_all(root);
}

// A staged restore whose database does not open: the start logs it, puts the previous data
// back and serves it.
TEST(BackupsTest, ARestoredDatabaseThatDoesNotOpenIsRevertedAtStart) {
  const std::string root = make_root();
  const std::string dir = prepare_directory(root);
  std::string kept;
  {
    ServerProcess server({"--dir", dir});
    kept = create_note(server.port(), 1);
    ASSERT_FALSE(kept.empty());
    server.signal(SIGTERM);
    ASSERT_EQ(server.wait_exit(), 0);
  }
  std::filesystem::create_directories(dir + "/.restore/incoming/storage");
  std::ofstream(dir + "/.restore/incoming/data.db") << "not a database at all";
  std::ofstream(dir + "/.restore/STATE") << "staged\n";

  ServerProcess server({"--dir", dir});
  EXPECT_TRUE(note_ids(server.port()).count(kept));
  EXPECT_NE(server.stderr_text().find("restore: the restored database did not open"),
            std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir + "/.restore"));
  server.signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(), 0);
  EXPECT_EQ(integrity(dir + "/data.db"), "ok");
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace basalt::testing
