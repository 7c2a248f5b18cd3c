// Serving stored files over real sockets (docs/files.md, "Serving"): GET/HEAD /api/files/...,
// thumbnails, protected files and POST /api/files/token.
//
// In process, unlike the other integration tests: the server here is assembled from the same
// parts as `basalt serve` (app.cpp) on 127.0.0.1:0, but with the test-only DirectoryStorage as
// its file backend, given through the same FileService the binary builds. The binary gets its
// real backend (LocalStorage / S3Storage) from [M1.9]'s upload work; once it has one these
// cases can run against the binary unchanged except for the setup. Records that hold files are
// written as rows through the server's own database (uploads arrive with that work too); every
// read under test goes through the HTTP API.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "basalt/api/routes.hpp"
#include "basalt/app/run_blocking.hpp"
#include "basalt/app/storage.hpp"
#include "basalt/auth/auth_context.hpp"
#include "basalt/auth/authenticator.hpp"
#include "basalt/auth/memory_rate_limiter.hpp"
#include "basalt/auth/password_hasher.hpp"
#include "basalt/auth/password_sign_in.hpp"
#include "basalt/auth/pooled_passwords.hpp"
#include "basalt/auth/sign_in_throttle.hpp"
#include "basalt/backups/backup_service.hpp"
#include "basalt/core/blocking_pool.hpp"
#include "basalt/core/config_loader.hpp"
#include "basalt/files/deletion_gate.hpp"
#include "basalt/files/file_service.hpp"
#include "basalt/files/testing/directory_storage.hpp"
#include "basalt/files/testing/test_images.hpp"
#include "basalt/http/access_log.hpp"
#include "basalt/http/dispatcher.hpp"
#include "basalt/http/server.hpp"
#include "basalt/realtime/broker.hpp"
#include "basalt/records/record_service.hpp"
#include "http_client.hpp"

namespace basalt::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// The parts of `basalt serve` (app.cpp), in its order, with a test file backend.
class FileServer {
 public:
  FileServer(const fs::path& dir, bool remote_storage)
      : config_(make_config(dir)),
        storage_(config_, core::system_clock()),
        blocking_({1, 64}),
        address_failures_(auth::MemoryRateLimiterOptions{}),
        identity_failures_(auth::MemoryRateLimiterOptions{}),
        throttle_(address_failures_, identity_failures_, core::system_clock()),
        passwords_(blocking_, hasher_),
        records_(storage_.database(), storage_.collections(), plans_, passwords_, events_,
                 core::system_clock()),
        auth_records_(config_.auth.record_cache),
        authenticator_(storage_.database(), storage_.collections(), plans_, events_, auth_records_),
        sign_in_(storage_.database(), storage_.collections(), records_, plans_, blocking_, hasher_,
                 throttle_, core::system_clock()),
        realtime_(records_, storage_.collections(), hub_, config_.realtime),
        file_storage_(
            std::make_shared<files::testing::DirectoryStorage>(dir / "storage", remote_storage)),
        files_(file_storage_, {.temp_dir = dir / "tmp"}),
        spool_dir_(dir / "uploads_tmp"),
        backups_store_(dir / "backups"),
        deletion_gate_(*file_storage_),
        backups_({storage_.database(), backups_store_, *file_storage_, deletion_gate_,
                  storage_.settings(), core::system_clock(), dir, [] {}}),
        services_{storage_.database(),
                  storage_.collections(),
                  records_,
                  plans_,
                  sign_in_,
                  storage_.settings(),
                  core::system_clock(),
                  authenticator_,
                  realtime_,
                  blocking_,
                  files_,
                  spool_dir_,
                  backups_},
        access_log_(false, core::LogFormat::kText),
        dispatcher_(http::Router(api::routes(services_)),
                    http::CorsPolicy(std::vector<std::string>{}), 1 << 20),
        server_({config_.http_host, config_.http_port, config_.threads, config_.limits},
                dispatcher_, access_log_) {
    server_.start();
  }

  ~FileServer() {
    server_.shutdown(std::chrono::milliseconds(2000));
    realtime_.stop();
    blocking_.shutdown();
    files_.shutdown();
    storage_.close();
  }

  int port() const { return server_.port(); }
  files::testing::DirectoryStorage& file_storage() { return *file_storage_; }
  collections::CollectionService& collections() { return storage_.collections(); }
  db::Database& database() { return storage_.database(); }
  records::RecordService& records() { return records_; }

 private:
  static core::Config make_config(const fs::path& dir) {
    core::ConfigSources sources;
    sources.flags = {{"http", "127.0.0.1:0"},
                     {"dir", (dir / "data").string()},
                     {"threads", "2"},
                     {"access-log", "false"},
                     {"config", ""}};
    sources.default_config_dir = dir;
    return core::load_config(sources);
  }

  core::Config config_;
  app::Storage storage_;
  core::BlockingPool blocking_;
  auth::PasswordHasher hasher_;
  auth::MemoryRateLimiter address_failures_;
  auth::MemoryRateLimiter identity_failures_;
  auth::SignInThrottle throttle_;
  query::PlanCache plans_;
  auth::PooledPasswords passwords_;
  records::EventBus events_;
  records::RecordService records_;
  auth::AuthRecordCache auth_records_;
  auth::Authenticator authenticator_;
  auth::PasswordSignIn sign_in_;
  realtime::LocalHub hub_;
  realtime::Broker realtime_;
  std::shared_ptr<files::testing::DirectoryStorage> file_storage_;
  files::FileService files_;
  fs::path spool_dir_;                              // the upload spool (no test here uploads)
  files::testing::DirectoryStorage backups_store_;  // backups: unused here, Services needs one
  files::DeletionGate deletion_gate_;
  backups::BackupService backups_;
  api::Services services_;
  http::AccessLog access_log_;
  http::Dispatcher dispatcher_;
  http::Server server_;
};

std::string random_bytes(std::size_t size) {
  std::mt19937 random(42);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(random() & 0xff);
  return out;
}

const std::string kText = "hello, stored file\n";
const std::string kBig = random_bytes(3 * 1024 * 1024 + 17);

// Parameterised by the backend: local (sendfile) or remote (chunks through the server).
class FilesServingTest : public ::testing::TestWithParam<bool> {
 protected:
  static void SetUpTestSuite() {
    png_ = new std::string(files::testing::banded_image(".png", 300, 600));
  }
  static void TearDownTestSuite() {
    delete png_;
    png_ = nullptr;
  }

  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("basalt_files_serving_" + std::to_string(::getpid()) + "_" +
                                        std::to_string(counter_++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    server_ = std::make_unique<FileServer>(dir_, GetParam());
    create_collections();
    add_records();
  }

  void TearDown() override {
    server_.reset();
    fs::remove_all(dir_);
  }

  void create_collections() {
    auto create = [&](std::string_view body) {
      const json::value parsed = json::parse(body);
      return app::run_blocking(server_->collections().create(parsed));
    };
    members_ = create(R"({"name":"members","type":"auth",
        "fields":[{"name":"allowed","type":"bool"}]})");
    docs_ = create(R"({"name":"docs","type":"base",
        "viewRule":"@request.auth.allowed = true",
        "fields":[{"name":"doc","type":"file","maxSelect":1},
                  {"name":"gallery","type":"file","maxSelect":9,
                   "thumbs":["50x30t","50x30b","40x40f","0x20","20x0","60x60"]},
                  {"name":"secret","type":"file","maxSelect":1,"protected":true}]})");
    locked_ = create(R"({"name":"locked","type":"base","viewRule":null,
        "fields":[{"name":"secret","type":"file","maxSelect":1,"protected":true}]})");
  }

  // Rows and objects as an upload would leave them.
  void add_records() {
    insert("docs", "r1", R"(["photo_a.png","big_b.bin","../../data.db"])", "notes_c.txt",
           "secret_d.txt");
    insert("locked", "l1", "", "", "vault_e.txt");
    put("docs", "r1", "photo_a.png", *png_);
    put("docs", "r1", "big_b.bin", kBig);
    put("docs", "r1", "notes_c.txt", kText);
    put("docs", "r1", "secret_d.txt", "top secret\n");
    put("locked", "l1", "vault_e.txt", "vault\n");
    // On disk but named by no record: never served.
    put("docs", "r1", "stray_f.txt", "stray\n");
  }

  void insert(std::string_view collection, std::string id, std::string gallery, std::string doc,
              std::string secret) {
    const bool docs = collection == "docs";
    app::run_blocking(
        server_->database().write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
          if (docs) {
            co_await tx.execute(
                "INSERT INTO docs (id, gallery, doc, secret) VALUES (?1, ?2, ?3, ?4)", id, gallery,
                doc, secret);
          } else {
            co_await tx.execute("INSERT INTO locked (id, secret) VALUES (?1, ?2)", id, secret);
          }
        }));
  }

  void put(std::string_view collection, std::string_view id, std::string_view name,
           std::string_view content) {
    const std::string collection_id =
        collection == "docs" ? docs_.id : (collection == "locked" ? locked_.id : members_.id);
    server_->file_storage().write(collection_id + "/" + std::string(id) + "/" + std::string(name),
                                  content);
  }

  std::string superuser_token() { return auth_token("_superusers", {}); }

  // A member through the record service (password hashed as in the API) and its auth token.
  std::string member_token(std::string_view email, bool allowed) {
    return auth_token("members", {{"email", email}, {"allowed", allowed}});
  }

  // A new record of the auth collection `collection` (with `fields`, a fresh email and a
  // password) created by a superuser, and its auth token.
  std::string auth_token(std::string_view collection, json::object fields) {
    const auto catalog = server_->collections().catalog();
    const schema::Collection* superusers = catalog->find("_superusers");
    const json::object superuser{{"id", "root"}};
    records::Caller root;
    root.collection = superusers;
    root.record = &superuser;
    records::WriteInput input;
    input.body = std::move(fields);
    if (!input.body.contains("email")) {
      input.body["email"] = "user" + std::to_string(counter_++) + "@example.com";
    }
    input.body["password"] = "secret-pass-1";
    input.body["passwordConfirm"] = "secret-pass-1";
    const records::RecordResult created = app::run_blocking(
        server_->records().create(root, collection, std::move(input), query::RequestInfo{}));
    return auth::issue_auth_token(*created.record.collection, created.record.values,
                                  std::chrono::system_clock::now());
  }

  std::optional<HttpResponse> get(const std::string& target, const std::string& headers = "") {
    return request(server_->port(), "GET " + target + " HTTP/1.1\r\nHost: t\r\n" + headers +
                                        "Connection: close\r\n\r\n");
  }

  std::string file_url(std::string_view collection, std::string_view id, std::string_view name,
                       std::string_view query = "") {
    std::string url =
        "/api/files/" + std::string(collection) + "/" + std::string(id) + "/" + std::string(name);
    if (!query.empty()) url += "?" + std::string(query);
    return url;
  }

  std::string file_token(const std::string& auth_token) {
    auto response =
        request(server_->port(),
                "POST /api/files/token HTTP/1.1\r\nHost: t\r\nAuthorization: " + auth_token +
                    "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    EXPECT_TRUE(response);
    if (!response) return {};
    EXPECT_EQ(response->status, 200) << response->body;
    return std::string(json::parse(response->body).at("token").as_string());
  }

  static void expect_not_found(const std::optional<HttpResponse>& response) {
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 404);
    EXPECT_EQ(response->header("content-type"), "application/json");
    EXPECT_EQ(response->body,
              R"({"data":{},"message":"The requested resource wasn't found.","status":404})");
  }

  static inline std::string* png_ = nullptr;
  static inline int counter_ = 0;
  fs::path dir_;
  std::unique_ptr<FileServer> server_;
  schema::Collection members_;
  schema::Collection docs_;
  schema::Collection locked_;
};

TEST_P(FilesServingTest, ServesAFileWithPocketBasesHeaders) {
  auto text = get(file_url("docs", "r1", "notes_c.txt"));
  ASSERT_TRUE(text);
  EXPECT_EQ(text->status, 200);
  EXPECT_EQ(text->body, kText);
  EXPECT_EQ(text->header("content-type"), "text/plain");
  EXPECT_EQ(text->header("content-disposition"), "attachment; filename=notes_c.txt");
  EXPECT_EQ(text->header("content-security-policy"),
            "default-src 'none'; media-src 'self'; style-src 'unsafe-inline'; sandbox");
  EXPECT_EQ(text->header("cache-control"), "max-age=2592000, stale-while-revalidate=86400");
  EXPECT_EQ(text->header("accept-ranges"), "bytes");
  EXPECT_EQ(text->header("content-length"), std::to_string(kText.size()));
  EXPECT_FALSE(text->header("etag").empty());
  EXPECT_FALSE(text->header("last-modified").empty());

  // By collection id too; an image is inline unless downloaded.
  auto image = get(file_url(docs_.id, "r1", "photo_a.png"));
  ASSERT_TRUE(image);
  EXPECT_EQ(image->status, 200);
  EXPECT_EQ(image->body, *png_);
  EXPECT_EQ(image->header("content-type"), "image/png");
  EXPECT_EQ(image->header("content-disposition"), "inline; filename=photo_a.png");
  for (std::string_view yes : {"download=1", "download=true"}) {
    auto download = get(file_url("docs", "r1", "photo_a.png", yes));
    ASSERT_TRUE(download);
    EXPECT_EQ(download->header("content-disposition"), "attachment; filename=photo_a.png");
  }
  auto not_download = get(file_url("docs", "r1", "photo_a.png", "download=0"));
  ASSERT_TRUE(not_download);
  EXPECT_EQ(not_download->header("content-disposition"), "inline; filename=photo_a.png");
}

TEST_P(FilesServingTest, LargeFilesArriveWholeAndTheConnectionIsReused) {
  RawConnection connection(server_->port());
  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(connection.send("GET " + file_url("docs", "r1", "big_b.bin") +
                                " HTTP/1.1\r\nHost: t\r\n\r\n"));
    auto response = connection.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->header("content-type"), "application/octet-stream");
    ASSERT_EQ(response->body.size(), kBig.size());
    EXPECT_TRUE(response->body == kBig);
  }
  // A JSON request on the same connection after the files.
  ASSERT_TRUE(connection.send("GET /api/health HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto health = connection.read_response();
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST_P(FilesServingTest, PipelinedFileResponsesLeaveInOrder) {
  RawConnection connection(server_->port());
  const std::string text =
      "GET " + file_url("docs", "r1", "notes_c.txt") + " HTTP/1.1\r\nHost: t\r\n\r\n";
  const std::string big =
      "GET " + file_url("docs", "r1", "big_b.bin") + " HTTP/1.1\r\nHost: t\r\n\r\n";
  ASSERT_TRUE(connection.send(text + big + "GET /api/health HTTP/1.1\r\nHost: t\r\n\r\n" + text));
  auto first = connection.read_response();
  auto second = connection.read_response();
  auto third = connection.read_response();
  auto fourth = connection.read_response();
  ASSERT_TRUE(first && second && third && fourth);
  EXPECT_EQ(first->body, kText);
  EXPECT_TRUE(second->body == kBig);
  EXPECT_EQ(third->header("content-type"), "application/json");
  EXPECT_EQ(fourth->body, kText);
}

TEST_P(FilesServingTest, UnknownCollectionRecordOrNameIsNotFound) {
  expect_not_found(get(file_url("nope", "r1", "notes_c.txt")));
  expect_not_found(get(file_url("docs", "nope", "notes_c.txt")));
  expect_not_found(get(file_url("docs", "r1", "other.txt")));
  expect_not_found(get(file_url("docs", "r1", "stray_f.txt")));  // on disk, in no record
  expect_not_found(get(file_url("members", "r1", "notes_c.txt")));
  // Named by the record but missing from storage.
  server_->file_storage().remove(docs_.id + "/r1/notes_c.txt");
  expect_not_found(get(file_url("docs", "r1", "notes_c.txt")));
}

TEST_P(FilesServingTest, PathTraversalNeverLeavesTheStorage) {
  // data.db sits two levels above a record's directory in this layout, and a row even names it.
  for (std::string_view name : {"..%2F..%2Fdata.db", "%2e%2e%2f%2e%2e%2fdata.db", "..", "%2e%2e",
                                "notes_c.txt%00.png", "%2Fetc%2Fpasswd", "..%5C..%5Cdata.db"}) {
    expect_not_found(get(file_url("docs", "r1", name)));
  }
  expect_not_found(get(file_url("docs", "..%2Fr1", "notes_c.txt")));
  expect_not_found(get(file_url("docs", "%2e%2e", "notes_c.txt")));
  // Unencoded dot segments: no route matches, or the name is refused.
  auto raw = get("/api/files/docs/r1/../../data.db");
  ASSERT_TRUE(raw);
  EXPECT_TRUE(raw->status == 404 || raw->status == 400) << raw->status;
  EXPECT_EQ(raw->body.find("SQLite"), std::string::npos);
}

TEST_P(FilesServingTest, ConditionalRequests) {
  auto first = get(file_url("docs", "r1", "notes_c.txt"));
  ASSERT_TRUE(first);
  const std::string etag = first->header("etag");
  const std::string modified = first->header("last-modified");

  auto by_etag = get(file_url("docs", "r1", "notes_c.txt"), "If-None-Match: " + etag + "\r\n");
  ASSERT_TRUE(by_etag);
  EXPECT_EQ(by_etag->status, 304);
  EXPECT_TRUE(by_etag->body.empty());
  EXPECT_EQ(by_etag->header("etag"), etag);

  auto by_date =
      get(file_url("docs", "r1", "notes_c.txt"), "If-Modified-Since: " + modified + "\r\n");
  ASSERT_TRUE(by_date);
  EXPECT_EQ(by_date->status, 304);

  auto changed = get(file_url("docs", "r1", "notes_c.txt"), "If-None-Match: \"other\"\r\n");
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->status, 200);
  EXPECT_EQ(changed->body, kText);

  auto failed = get(file_url("docs", "r1", "notes_c.txt"), "If-Match: \"other\"\r\n");
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 412);
  EXPECT_EQ(json::parse(failed->body).at("status").as_int64(), 412);
}

TEST_P(FilesServingTest, RangeRequests) {
  auto part = get(file_url("docs", "r1", "big_b.bin"), "Range: bytes=1000-1999\r\n");
  ASSERT_TRUE(part);
  EXPECT_EQ(part->status, 206);
  EXPECT_EQ(part->header("content-range"), "bytes 1000-1999/" + std::to_string(kBig.size()));
  EXPECT_TRUE(part->body == kBig.substr(1000, 1000));

  auto tail = get(file_url("docs", "r1", "notes_c.txt"), "Range: bytes=-6\r\n");
  ASSERT_TRUE(tail);
  EXPECT_EQ(tail->status, 206);
  EXPECT_EQ(tail->body, kText.substr(kText.size() - 6));

  auto past = get(file_url("docs", "r1", "notes_c.txt"), "Range: bytes=500-\r\n");
  ASSERT_TRUE(past);
  EXPECT_EQ(past->status, 416);
  EXPECT_EQ(past->header("content-range"), "bytes */" + std::to_string(kText.size()));
  EXPECT_EQ(json::parse(past->body).at("status").as_int64(), 416);

  auto several = get(file_url("docs", "r1", "notes_c.txt"), "Range: bytes=0-1,4-5\r\n");
  ASSERT_TRUE(several);
  EXPECT_EQ(several->status, 200);
  EXPECT_EQ(several->body, kText);

  // If-Range with another validator: the whole file.
  auto stale =
      get(file_url("docs", "r1", "notes_c.txt"), "Range: bytes=0-1\r\nIf-Range: \"old\"\r\n");
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 200);
}

TEST_P(FilesServingTest, HeadSendsTheHeadersOnly) {
  RawConnection connection(server_->port());
  ASSERT_TRUE(connection.send("HEAD " + file_url("docs", "r1", "big_b.bin") +
                              " HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto head = connection.read_response(/*head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-length"), std::to_string(kBig.size()));
  EXPECT_TRUE(head->body.empty());
  // The next response on the connection starts right after the header.
  ASSERT_TRUE(connection.send("GET " + file_url("docs", "r1", "notes_c.txt") +
                              " HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto next = connection.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, kText);
}

TEST_P(FilesServingTest, ThumbnailsOfEveryFormat) {
  struct Case {
    std::string size;
    int width;
    int height;
    char center;
  };
  // The original is 300x600 in red, green and blue bands from the top.
  for (const Case& c : std::vector<Case>{{"100x100", 100, 100, 'g'},
                                         {"50x30t", 50, 30, 'r'},
                                         {"50x30b", 50, 30, 'b'},
                                         {"40x40f", 20, 40, 'g'},
                                         {"0x20", 10, 20, 'g'},
                                         {"20x0", 20, 40, 'g'}}) {
    auto thumb = get(file_url("docs", "r1", "photo_a.png", "thumb=" + c.size));
    ASSERT_TRUE(thumb);
    EXPECT_EQ(thumb->status, 200) << c.size;
    EXPECT_EQ(thumb->header("content-type"), "image/png") << c.size;
    EXPECT_EQ(thumb->header("content-disposition"), "inline; filename=" + c.size + "_photo_a.png");
    const auto facts = files::testing::inspect_image(thumb->body);
    EXPECT_EQ(facts.width, c.width) << c.size;
    EXPECT_EQ(facts.height, c.height) << c.size;
    EXPECT_EQ(facts.center, c.center) << c.size;
    // Stored beside the original, and served from there next time.
    EXPECT_TRUE(server_->file_storage()
                    .stat(docs_.id + "/r1/thumbs_photo_a.png/" + c.size + "_photo_a.png")
                    .has_value());
  }
  const int made = server_->file_storage().puts();
  auto again = get(file_url("docs", "r1", "photo_a.png", "thumb=50x30t"));
  ASSERT_TRUE(again);
  EXPECT_EQ(files::testing::inspect_image(again->body).width, 50);
  EXPECT_EQ(server_->file_storage().puts(), made);
}

TEST_P(FilesServingTest, ThumbnailsOnlyForAllowedSizesAndImages) {
  // Not listed by the field: the original.
  for (std::string_view size : {"70x70", "50x30", "abc", "0x0", "100x100t"}) {
    auto original = get(file_url("docs", "r1", "photo_a.png", "thumb=" + std::string(size)));
    ASSERT_TRUE(original);
    EXPECT_EQ(original->status, 200);
    EXPECT_TRUE(original->body == *png_) << size;
    EXPECT_EQ(original->header("content-disposition"), "inline; filename=photo_a.png");
  }
  // Not an image: the original.
  auto text = get(file_url("docs", "r1", "notes_c.txt", "thumb=100x100"));
  ASSERT_TRUE(text);
  EXPECT_EQ(text->body, kText);
  // A broken image: the original, and nothing stored.
  server_->file_storage().write(docs_.id + "/r1/photo_a.png", "\x89PNG\r\n\x1a\nbroken");
  auto broken = get(file_url("docs", "r1", "photo_a.png", "thumb=60x60"));
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->status, 200);
  EXPECT_EQ(broken->body, "\x89PNG\r\n\x1a\nbroken");
  EXPECT_EQ(server_->file_storage().puts(), 0);
}

TEST_P(FilesServingTest, ProtectedFilesNeedAFileTokenThatPassesTheViewRule) {
  const std::string url = file_url("docs", "r1", "secret_d.txt");
  expect_not_found(get(url));
  expect_not_found(get(url + "?token=garbage"));

  const std::string reader = member_token("reader@example.com", true);
  const std::string outsider = member_token("outsider@example.com", false);
  // An auth token is not a file token, in the query or in the header.
  expect_not_found(get(url + "?token=" + reader));
  expect_not_found(get(url, "Authorization: " + reader + "\r\n"));

  const std::string reader_file = file_token(reader);
  auto allowed = get(url + "?token=" + reader_file);
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed->status, 200);
  EXPECT_EQ(allowed->body, "top secret\n");

  // A valid file token whose record the viewRule refuses.
  expect_not_found(get(url + "?token=" + file_token(outsider)));
  // A locked viewRule admits no member at all; a superuser's file token passes every rule.
  expect_not_found(get(file_url("locked", "l1", "vault_e.txt", "token=" + reader_file)));
  auto vault =
      get(file_url("locked", "l1", "vault_e.txt", "token=" + file_token(superuser_token())));
  ASSERT_TRUE(vault);
  EXPECT_EQ(vault->status, 200);
  EXPECT_EQ(vault->body, "vault\n");
  // Public fields of the same record need no token.
  auto open = get(file_url("docs", "r1", "notes_c.txt"));
  ASSERT_TRUE(open);
  EXPECT_EQ(open->status, 200);
}

TEST_P(FilesServingTest, FileTokensNeedAnAuthRecord) {
  auto guest = request(server_->port(),
                       "POST /api/files/token HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n"
                       "Connection: close\r\n\r\n");
  ASSERT_TRUE(guest);
  EXPECT_EQ(guest->status, 401);
  const std::string token = file_token(member_token("m@example.com", true));
  const std::optional<auth::UnverifiedToken> claimed = auth::read_unverified_token(token);
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->type, auth::TokenType::kFile);
  EXPECT_EQ(claimed->collection_id, members_.id);
}

INSTANTIATE_TEST_SUITE_P(Backends, FilesServingTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Remote" : "Local"; });

}  // namespace
}  // namespace basalt::testing
