// Serving stored files through the real binary (docs/files.md, "Serving"): GET/HEAD
// /api/files/..., thumbnails, protected files and POST /api/files/token.
//
// Each case starts `basalt serve` on 127.0.0.1:0 over a data directory prepared with the CLI
// (a superuser and the collections), and stores its files the way a client does: records
// created with multipart uploads, so names, keys and objects are the ones LocalStorage makes.
// The server serves them with sendfile(2). The remote path (S3-style chunks), which no e2e
// serves from S3 yet, is covered below the binary: FileService over a storage without local
// paths (src/basalt/files/file_service_test.cpp) and chunked bodies through a real http::Server
// (src/basalt/http/file_body_test.cpp).
// Setups a client cannot make (a file planted beside a record's, a damaged original, a row
// naming a path outside the storage) are made on disk, in the data directory.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "basalt/auth/tokens.hpp"
#include "basalt/files/testing/test_images.hpp"
#include "command.hpp"
#include "http_client.hpp"
#include "server_process.hpp"

namespace basalt::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr std::string_view kEmail = "root@example.com";
constexpr std::string_view kPassword = "files password 1";
constexpr std::string_view kMemberPassword = "member password 1";
constexpr std::string_view kBoundary = "basaltFilesBoundary4kq9Zt";
// Fixed ids, so the keys on disk are known.
constexpr std::string_view kMembersId = "pbc_3000000001";
constexpr std::string_view kDocsId = "pbc_3000000002";
constexpr std::string_view kLockedId = "pbc_3000000003";
constexpr std::string_view kRecord = "r1aaaaaaaaaaaaa";
constexpr std::string_view kLockedRecord = "l1aaaaaaaaaaaaa";

std::string random_bytes(std::size_t size) {
  std::mt19937 random(42);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(random() & 0xff);
  return out;
}

const std::string kText = "hello, stored file\n";
const std::string kBig = random_bytes(3 * 1024 * 1024 + 17);

// The first name of `names` (a stored file field's value) made from the upload `original`
// ("photo_a.png" is stored as "photo_a_<10 random>.png").
std::string stored_name(const json::value& names, std::string_view original) {
  const std::string_view base = original.substr(0, original.rfind('.'));
  const std::string_view extension = original.substr(original.rfind('.'));
  auto matches = [&](std::string_view name) {
    return name.size() == original.size() + 11 && name.starts_with(base) &&
           name.ends_with(extension);
  };
  if (names.is_string()) {
    if (matches(names.as_string())) return std::string(names.as_string());
  } else {
    for (const auto& name : names.as_array()) {
      if (matches(name.as_string())) return std::string(name.as_string());
    }
  }
  ADD_FAILURE() << "no stored name for " << original << " in " << json::serialize(names);
  return {};
}

class FilesServingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    png_ = new std::string(files::testing::banded_image(".png", 300, 600));
  }
  static void TearDownTestSuite() {
    delete png_;
    png_ = nullptr;
  }

  void SetUp() override {
    char pattern[] = "/tmp/basalt-files-serving-XXXXXX";
    ASSERT_TRUE(mkdtemp(pattern));
    root_ = pattern;
    data_ = root_ / "data";
    prepare_directory();
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{"--dir", data_.string()});
    superuser_ = sign_in("_superusers", kEmail, kPassword);
    add_records();
  }

  void TearDown() override {
    server_.reset();
    fs::remove_all(root_);
  }

  int port() const { return server_->port(); }

  // A superuser, and the collections: `members` (auth), `docs` (files of every kind, the
  // protected one behind a viewRule on the member) and `locked` (a viewRule nobody passes).
  void prepare_directory() {
    ASSERT_EQ(run_basalt({"superuser", "upsert", std::string(kEmail), std::string(kPassword),
                          "--dir", data_.string()})
                  .exit_code,
              0);
    const fs::path file = root_ / "collections.json";
    std::ofstream(file) << R"([
      {"id":")" << kMembersId
                        << R"(","name":"members","type":"auth",
       "fields":[{"name":"allowed","type":"bool"}]},
      {"id":")" << kDocsId
                        << R"(","name":"docs","type":"base",
       "viewRule":"@request.auth.allowed = true",
       "fields":[{"name":"doc","type":"file","maxSelect":1},
                 {"name":"gallery","type":"file","maxSelect":9,
                  "thumbs":["50x30t","50x30b","40x40f","0x20","20x0","60x60"]},
                 {"name":"secret","type":"file","maxSelect":1,"protected":true}]},
      {"id":")" << kLockedId
                        << R"(","name":"locked","type":"base","viewRule":null,
       "fields":[{"name":"secret","type":"file","maxSelect":1,"protected":true}]}])";
    ASSERT_EQ(
        run_basalt({"collections", "import", file.string(), "--dir", data_.string()}).exit_code, 0);
  }

  std::string sign_in(std::string_view collection, std::string_view identity,
                      std::string_view password) {
    auto response = call(port(), "POST",
                         "/api/collections/" + std::string(collection) + "/auth-with-password", {},
                         R"({"identity":")" + std::string(identity) + R"(","password":")" +
                             std::string(password) + R"("})");
    EXPECT_TRUE(response && response->status == 200) << (response ? response->body : "no answer");
    if (!response || response->status != 200) return {};
    return std::string(json::parse(response->body).at("token").as_string());
  }

  // A record created by the superuser with a multipart upload; its JSON.
  json::object upload(std::string_view collection, const std::vector<FormPart>& parts) {
    auto response = call(port(), "POST", "/api/collections/" + std::string(collection) + "/records",
                         superuser_, multipart_body(kBoundary, parts),
                         "multipart/form-data; boundary=" + std::string(kBoundary));
    EXPECT_TRUE(response && response->status == 200) << (response ? response->body : "no answer");
    if (!response || response->status != 200) return {};
    return json::parse(response->body).as_object();
  }

  void add_records() {
    const json::object docs = upload("docs", {{"id", std::string(kRecord)},
                                              {"gallery", *png_, "photo_a.png"},
                                              {"gallery", kBig, "big_b.bin"},
                                              {"doc", kText, "notes_c.txt"},
                                              {"secret", "top secret\n", "secret_d.txt"}});
    ASSERT_FALSE(docs.empty());
    photo_ = stored_name(docs.at("gallery"), "photo_a.png");
    big_ = stored_name(docs.at("gallery"), "big_b.bin");
    notes_ = stored_name(docs.at("doc"), "notes_c.txt");
    secret_ = stored_name(docs.at("secret"), "secret_d.txt");
    const json::object locked = upload(
        "locked", {{"id", std::string(kLockedRecord)}, {"secret", "vault\n", "vault_e.txt"}});
    ASSERT_FALSE(locked.empty());
    vault_ = stored_name(locked.at("secret"), "vault_e.txt");

    // A row naming a path two levels up, where data.db sits: a name only a write behind the
    // API can give, written through SQLite beside the running server (WAL: it reads the new
    // row with its next transaction).
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((data_ / "data.db").c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
    char* error = nullptr;
    const std::string update =
        "UPDATE docs SET gallery = json_insert(gallery, '$[#]', '../../data.db') WHERE id = '" +
        std::string(kRecord) + "'";
    const int rc = sqlite3_exec(db, update.c_str(), nullptr, nullptr, &error);
    const std::string why = error ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << why;

    // In the record's directory but named by no record: never served.
    write_object(kDocsId, kRecord, "stray_f.txt", "stray\n");
  }

  fs::path object_path(std::string_view collection_id, std::string_view record_id,
                       std::string_view name) const {
    return data_ / "storage" / collection_id / record_id / name;
  }

  void write_object(std::string_view collection_id, std::string_view record_id,
                    std::string_view name, std::string_view content) {
    std::ofstream(object_path(collection_id, record_id, name), std::ios::binary | std::ios::trunc)
        << content;
  }

  fs::path thumbs_dir() const {
    return data_ / "storage" / kDocsId / kRecord / ("thumbs_" + photo_);
  }

  std::string superuser_token() { return superuser_; }

  // A member (created by the superuser) signed in; its auth token.
  std::string member_token(std::string_view email, bool allowed) {
    auto created = call(port(), "POST", "/api/collections/members/records", superuser_,
                        json::serialize(json::object{{"email", email},
                                                     {"allowed", allowed},
                                                     {"password", kMemberPassword},
                                                     {"passwordConfirm", kMemberPassword}}));
    EXPECT_TRUE(created && created->status == 200) << (created ? created->body : "no answer");
    return sign_in("members", email, kMemberPassword);
  }

  std::optional<HttpResponse> get(const std::string& target, const std::string& headers = "") {
    return request(port(), "GET " + target + " HTTP/1.1\r\nHost: t\r\n" + headers +
                               "Connection: close\r\n\r\n");
  }

  static std::string file_url(std::string_view collection, std::string_view id,
                              std::string_view name, std::string_view query = "") {
    std::string url =
        "/api/files/" + std::string(collection) + "/" + std::string(id) + "/" + std::string(name);
    if (!query.empty()) url += "?" + std::string(query);
    return url;
  }
  std::string docs_url(std::string_view name, std::string_view query = "") const {
    return file_url("docs", kRecord, name, query);
  }

  std::string file_token(const std::string& auth_token) {
    auto response = call(port(), "POST", "/api/files/token", auth_token);
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
  fs::path root_;
  fs::path data_;
  std::unique_ptr<ServerProcess> server_;
  std::string superuser_;
  // The stored names of the uploads.
  std::string photo_;
  std::string big_;
  std::string notes_;
  std::string secret_;
  std::string vault_;
};

TEST_F(FilesServingTest, ServesAFileWithPocketBasesHeaders) {
  auto text = get(docs_url(notes_));
  ASSERT_TRUE(text);
  EXPECT_EQ(text->status, 200);
  EXPECT_EQ(text->body, kText);
  // PocketBase names the charset of plain text (docs/files.md, "Serving").
  EXPECT_EQ(text->header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(text->header("content-disposition"), "attachment; filename=" + notes_);
  EXPECT_EQ(text->header("content-security-policy"),
            "default-src 'none'; media-src 'self'; style-src 'unsafe-inline'; sandbox");
  EXPECT_EQ(text->header("cache-control"), "max-age=2592000, stale-while-revalidate=86400");
  EXPECT_EQ(text->header("accept-ranges"), "bytes");
  EXPECT_EQ(text->header("content-length"), std::to_string(kText.size()));
  EXPECT_FALSE(text->header("etag").empty());
  EXPECT_FALSE(text->header("last-modified").empty());

  // By collection id too; an image is inline unless downloaded.
  auto image = get(file_url(kDocsId, kRecord, photo_));
  ASSERT_TRUE(image);
  EXPECT_EQ(image->status, 200);
  EXPECT_EQ(image->body, *png_);
  EXPECT_EQ(image->header("content-type"), "image/png");
  EXPECT_EQ(image->header("content-disposition"), "inline; filename=" + photo_);
  for (std::string_view yes : {"download=1", "download=true"}) {
    auto download = get(docs_url(photo_, yes));
    ASSERT_TRUE(download);
    EXPECT_EQ(download->header("content-disposition"), "attachment; filename=" + photo_);
  }
  auto not_download = get(docs_url(photo_, "download=0"));
  ASSERT_TRUE(not_download);
  EXPECT_EQ(not_download->header("content-disposition"), "inline; filename=" + photo_);
}

TEST_F(FilesServingTest, LargeFilesArriveWholeAndTheConnectionIsReused) {
  RawConnection connection(port());
  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(connection.send("GET " + docs_url(big_) + " HTTP/1.1\r\nHost: t\r\n\r\n"));
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

TEST_F(FilesServingTest, PipelinedFileResponsesLeaveInOrder) {
  RawConnection connection(port());
  const std::string text = "GET " + docs_url(notes_) + " HTTP/1.1\r\nHost: t\r\n\r\n";
  const std::string big = "GET " + docs_url(big_) + " HTTP/1.1\r\nHost: t\r\n\r\n";
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

TEST_F(FilesServingTest, UnknownCollectionRecordOrNameIsNotFound) {
  expect_not_found(get(file_url("nope", kRecord, notes_)));
  expect_not_found(get(file_url("docs", "nopeaaaaaaaaaaa", notes_)));
  expect_not_found(get(docs_url("other.txt")));
  expect_not_found(get(docs_url("stray_f.txt")));  // on disk, in no record
  expect_not_found(get(file_url("members", kRecord, notes_)));
  // Named by the record but missing from storage.
  fs::remove(object_path(kDocsId, kRecord, notes_));
  expect_not_found(get(docs_url(notes_)));
}

TEST_F(FilesServingTest, PathTraversalNeverLeavesTheStorage) {
  // data.db sits two levels above a record's directory, and the record even names it.
  for (std::string_view name : {"..%2F..%2Fdata.db", "%2e%2e%2f%2e%2e%2fdata.db", "..", "%2e%2e",
                                "%2Fetc%2Fpasswd", "..%5C..%5Cdata.db"}) {
    expect_not_found(get(docs_url(name)));
  }
  expect_not_found(get(docs_url(notes_ + "%00.png")));
  expect_not_found(get(file_url("docs", "..%2F" + std::string(kRecord), notes_)));
  expect_not_found(get(file_url("docs", "%2e%2e", notes_)));
  // Unencoded dot segments: no route matches, or the name is refused.
  auto raw = get("/api/files/docs/" + std::string(kRecord) + "/../../data.db");
  ASSERT_TRUE(raw);
  EXPECT_TRUE(raw->status == 404 || raw->status == 400) << raw->status;
  EXPECT_EQ(raw->body.find("SQLite"), std::string::npos);
}

TEST_F(FilesServingTest, ConditionalRequests) {
  auto first = get(docs_url(notes_));
  ASSERT_TRUE(first);
  const std::string etag = first->header("etag");
  const std::string modified = first->header("last-modified");

  auto by_etag = get(docs_url(notes_), "If-None-Match: " + etag + "\r\n");
  ASSERT_TRUE(by_etag);
  EXPECT_EQ(by_etag->status, 304);
  EXPECT_TRUE(by_etag->body.empty());
  EXPECT_EQ(by_etag->header("etag"), etag);

  auto by_date = get(docs_url(notes_), "If-Modified-Since: " + modified + "\r\n");
  ASSERT_TRUE(by_date);
  EXPECT_EQ(by_date->status, 304);

  auto changed = get(docs_url(notes_), "If-None-Match: \"other\"\r\n");
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->status, 200);
  EXPECT_EQ(changed->body, kText);

  auto failed = get(docs_url(notes_), "If-Match: \"other\"\r\n");
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 412);
  EXPECT_EQ(json::parse(failed->body).at("status").as_int64(), 412);
}

TEST_F(FilesServingTest, RangeRequests) {
  auto part = get(docs_url(big_), "Range: bytes=1000-1999\r\n");
  ASSERT_TRUE(part);
  EXPECT_EQ(part->status, 206);
  EXPECT_EQ(part->header("content-range"), "bytes 1000-1999/" + std::to_string(kBig.size()));
  EXPECT_TRUE(part->body == kBig.substr(1000, 1000));

  auto tail = get(docs_url(notes_), "Range: bytes=-6\r\n");
  ASSERT_TRUE(tail);
  EXPECT_EQ(tail->status, 206);
  EXPECT_EQ(tail->body, kText.substr(kText.size() - 6));

  auto past = get(docs_url(notes_), "Range: bytes=500-\r\n");
  ASSERT_TRUE(past);
  EXPECT_EQ(past->status, 416);
  EXPECT_EQ(past->header("content-range"), "bytes */" + std::to_string(kText.size()));
  EXPECT_EQ(json::parse(past->body).at("status").as_int64(), 416);

  auto several = get(docs_url(notes_), "Range: bytes=0-1,4-5\r\n");
  ASSERT_TRUE(several);
  EXPECT_EQ(several->status, 200);
  EXPECT_EQ(several->body, kText);

  // If-Range with another validator: the whole file.
  auto stale = get(docs_url(notes_), "Range: bytes=0-1\r\nIf-Range: \"old\"\r\n");
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 200);
}

TEST_F(FilesServingTest, HeadSendsTheHeadersOnly) {
  RawConnection connection(port());
  ASSERT_TRUE(connection.send("HEAD " + docs_url(big_) + " HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto head = connection.read_response(/*head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-length"), std::to_string(kBig.size()));
  EXPECT_TRUE(head->body.empty());
  // The next response on the connection starts right after the header.
  ASSERT_TRUE(connection.send("GET " + docs_url(notes_) + " HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto next = connection.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, kText);
}

TEST_F(FilesServingTest, ThumbnailsOfEveryFormat) {
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
    auto thumb = get(docs_url(photo_, "thumb=" + c.size));
    ASSERT_TRUE(thumb);
    EXPECT_EQ(thumb->status, 200) << c.size;
    EXPECT_EQ(thumb->header("content-type"), "image/png") << c.size;
    EXPECT_EQ(thumb->header("content-disposition"), "inline; filename=" + c.size + "_" + photo_);
    const auto facts = files::testing::inspect_image(thumb->body);
    EXPECT_EQ(facts.width, c.width) << c.size;
    EXPECT_EQ(facts.height, c.height) << c.size;
    EXPECT_EQ(facts.center, c.center) << c.size;
    // Stored beside the original, and served from there next time.
    EXPECT_TRUE(fs::is_regular_file(thumbs_dir() / (c.size + "_" + photo_))) << c.size;
  }
  // Served again from the stored thumbnail: not made again (a new one would be a new file
  // renamed over it).
  const fs::path stored = thumbs_dir() / ("50x30t_" + photo_);
  struct stat before {};
  ASSERT_EQ(::stat(stored.c_str(), &before), 0);
  auto again = get(docs_url(photo_, "thumb=50x30t"));
  ASSERT_TRUE(again);
  EXPECT_EQ(files::testing::inspect_image(again->body).width, 50);
  struct stat after {};
  ASSERT_EQ(::stat(stored.c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);
  EXPECT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
  EXPECT_EQ(std::distance(fs::directory_iterator(thumbs_dir()), fs::directory_iterator()), 6);
}

TEST_F(FilesServingTest, ThumbnailsOnlyForAllowedSizesAndImages) {
  // Not listed by the field: the original.
  for (std::string_view size : {"70x70", "50x30", "abc", "0x0", "100x100t"}) {
    auto original = get(docs_url(photo_, "thumb=" + std::string(size)));
    ASSERT_TRUE(original);
    EXPECT_EQ(original->status, 200);
    EXPECT_TRUE(original->body == *png_) << size;
    EXPECT_EQ(original->header("content-disposition"), "inline; filename=" + photo_);
  }
  // Not an image: the original.
  auto text = get(docs_url(notes_, "thumb=100x100"));
  ASSERT_TRUE(text);
  EXPECT_EQ(text->body, kText);
  // A broken image: the original, and nothing stored.
  write_object(kDocsId, kRecord, photo_, "\x89PNG\r\n\x1a\nbroken");
  auto broken = get(docs_url(photo_, "thumb=60x60"));
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->status, 200);
  EXPECT_EQ(broken->body, "\x89PNG\r\n\x1a\nbroken");
  // No thumbnail was stored by any of these requests.
  EXPECT_FALSE(fs::exists(thumbs_dir()));
}

TEST_F(FilesServingTest, ProtectedFilesNeedAFileTokenThatPassesTheViewRule) {
  const std::string url = docs_url(secret_);
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
  expect_not_found(get(file_url("locked", kLockedRecord, vault_, "token=" + reader_file)));
  auto vault =
      get(file_url("locked", kLockedRecord, vault_, "token=" + file_token(superuser_token())));
  ASSERT_TRUE(vault);
  EXPECT_EQ(vault->status, 200);
  EXPECT_EQ(vault->body, "vault\n");
  // Public fields of the same record need no token.
  auto open = get(docs_url(notes_));
  ASSERT_TRUE(open);
  EXPECT_EQ(open->status, 200);
}

TEST_F(FilesServingTest, FileTokensNeedAnAuthRecord) {
  auto guest = call(port(), "POST", "/api/files/token");
  ASSERT_TRUE(guest);
  EXPECT_EQ(guest->status, 401);
  const std::string token = file_token(member_token("m@example.com", true));
  const std::optional<auth::UnverifiedToken> claimed = auth::read_unverified_token(token);
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->type, auth::TokenType::kFile);
  EXPECT_EQ(claimed->collection_id, kMembersId);
}

}  // namespace
}  // namespace basalt::testing
