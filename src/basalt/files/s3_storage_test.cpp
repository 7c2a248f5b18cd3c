// S3Storage against a real S3 API server on loopback (s3rver with SigV4 checking:
// testing/s3rver_process.hpp) — the Storage contract, path-style and virtual-hosted — and
// against a scripted server for what s3rver does not do on demand (503s, a failing part).
#include "basalt/files/s3_storage.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <memory>

#include "basalt/files/testing/s3rver_process.hpp"
#include "basalt/files/testing/scripted_http_server.hpp"
#include "basalt/files/testing/storage_contract.hpp"

namespace basalt::files {
namespace {

using test_support::RecordedRequest;
using test_support::S3rverProcess;
using test_support::ScriptedHttpServer;
using test_support::ScriptedResponse;
using test_support::StorageBackend;
using test_support::StorageContractTest;

constexpr const char* kBucket = "basalt-test";

// One server for the whole binary: started on first use, stopped at exit.
S3rverProcess& s3rver() {
  static S3rverProcess server(kBucket);
  return server;
}

S3Options small_options() {
  S3Options options;
  options.multipart_threshold = 1 << 20;  // the contract's 3 MiB file goes up in parts
  options.part_size = 1 << 20;
  options.list_page_size = 2;  // five keys take three pages
  options.retry = {.max_attempts = 3,
                   .base_delay = std::chrono::milliseconds(1),
                   .max_delay = std::chrono::milliseconds(5)};
  return options;
}

S3Config s3rver_config(bool path_style) {
  S3Config config;
  config.bucket = kBucket;
  config.region = S3rverProcess::kRegion;
  config.access_key = S3rverProcess::kAccessKey;
  config.secret = S3rverProcess::kSecret;
  config.force_path_style = path_style;
  // Virtual-hosted: <bucket>.s3.localhost, which libcurl resolves to loopback itself.
  config.endpoint =
      path_style ? s3rver().endpoint() : "http://s3.localhost:" + std::to_string(s3rver().port());
  return config;
}

INSTANTIATE_TEST_SUITE_P(S3, StorageContractTest,
                         ::testing::Values(StorageBackend{"S3PathStyle",
                                                          [](const std::filesystem::path&) {
                                                            return std::make_shared<S3Storage>(
                                                                s3rver_config(true),
                                                                small_options());
                                                          }},
                                           StorageBackend{"S3VirtualHosted",
                                                          [](const std::filesystem::path&) {
                                                            return std::make_shared<S3Storage>(
                                                                s3rver_config(false),
                                                                small_options());
                                                          }}),
                         [](const auto& info) { return info.param.name; });

std::filesystem::path temp_file(const std::string& name, const std::string& content) {
  auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

TEST(S3Storage, AWrongSecretFailsWithTheServersReasonAndNoSecret) {
  S3Config config = s3rver_config(true);
  config.secret = "not-the-secret-4711";
  S3Storage storage(config, small_options());
  try {
    storage.put_bytes("creds/test.txt", "test", "text/plain");
    FAIL() << "a wrong secret must be refused";
  } catch (const StorageError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("HTTP 403"), std::string::npos) << message;
    EXPECT_NE(message.find("SignatureDoesNotMatch"), std::string::npos) << message;
    EXPECT_NE(message.find("creds/test.txt"), std::string::npos) << message;
    EXPECT_EQ(message.find("not-the-secret-4711"), std::string::npos) << message;
  }
  S3Storage right(s3rver_config(true), small_options());
  EXPECT_FALSE(right.stat("creds/test.txt").has_value());  // nothing was stored
}

TEST(S3Storage, AnUnknownAccessKeyIsRefused) {
  S3Config config = s3rver_config(true);
  config.access_key = "NOSUCHKEY";
  S3Storage storage(config, small_options());
  try {
    storage.stat("any/key");
    FAIL() << "an unknown access key must be refused";
  } catch (const StorageError& error) {
    EXPECT_NE(std::string(error.what()).find("HTTP 403"), std::string::npos) << error.what();
    EXPECT_FALSE(error.not_found());
  }
}

TEST(S3Storage, TheConnectionTestPassesWithTheRightSettingsAndLeavesNothing) {
  EXPECT_EQ(test_s3_connection(s3rver_config(true), small_options()), "");
  S3Storage storage(s3rver_config(true), small_options());
  for (const auto& key : storage.list("")) {
    EXPECT_FALSE(key.starts_with("pb_settings_test_")) << key;
  }
}

TEST(S3Storage, TheConnectionTestReportsWhatFailed) {
  S3Config config = s3rver_config(true);
  config.secret = "wrong";
  const std::string upload = test_s3_connection(config, small_options());
  EXPECT_TRUE(upload.starts_with("failed to upload a test file: ")) << upload;
  EXPECT_NE(upload.find("SignatureDoesNotMatch"), std::string::npos) << upload;

  config = s3rver_config(true);
  config.bucket.clear();
  EXPECT_EQ(test_s3_connection(config, small_options()),
            "failed to initialize the S3 filesystem: S3 bucket is not set");
}

// --- scripted server: retries, aborts, odd answers ---------------------------------------

S3Config scripted_config(const ScriptedHttpServer& server) {
  return {.bucket = "bkt",
          .region = "us-east-1",
          .endpoint = server.endpoint(),
          .access_key = "k",
          .secret = "s",
          .force_path_style = true};
}

TEST(S3StorageRetries, A503IsTriedAgainUntilItPasses) {
  ScriptedHttpServer server(
      {{503, {}, "<Error><Code>SlowDown</Code></Error>"}, {503, {}, ""}, {204, {}, ""}});
  S3Storage storage(scripted_config(server), small_options());
  EXPECT_NO_THROW(storage.remove("c/r/f.txt"));
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  for (const auto& request : requests) {
    EXPECT_EQ(request.method, "DELETE");
    EXPECT_EQ(request.target, "/bkt/c/r/f.txt");
  }
}

TEST(S3StorageRetries, AConnectionClosedWithoutAnswerIsTriedAgain) {
  ScriptedHttpServer server({{ScriptedResponse::kHangUp, {}, ""}, {204, {}, ""}});
  S3Storage storage(scripted_config(server), small_options());
  EXPECT_NO_THROW(storage.remove("c/r/f.txt"));
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(S3StorageRetries, ATimeoutIsTriedAgain) {
  ScriptedHttpServer server({{ScriptedResponse::kNeverAnswer, {}, ""}, {204, {}, ""}});
  S3Options options = small_options();
  options.timeouts.total = std::chrono::milliseconds(300);
  S3Storage storage(scripted_config(server), options);
  EXPECT_NO_THROW(storage.remove("c/r/f.txt"));
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(S3StorageRetries, GivesUpAfterMaxAttempts) {
  ScriptedHttpServer server({{500, {}, ""}, {502, {}, ""}, {429, {}, ""}, {204, {}, ""}});
  S3Storage storage(scripted_config(server), small_options());  // 3 attempts
  try {
    storage.remove("c/r/f.txt");
    FAIL() << "three failures must fail the call";
  } catch (const StorageError& error) {
    EXPECT_NE(std::string(error.what()).find("HTTP 429"), std::string::npos) << error.what();
  }
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(S3StorageRetries, AClientErrorIsNeverRetried) {
  ScriptedHttpServer server(
      {{403, {}, "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"},
       {204, {}, ""}});
  S3Storage storage(scripted_config(server), small_options());
  try {
    storage.remove("c/r/f.txt");
    FAIL() << "a 403 must fail the call";
  } catch (const StorageError& error) {
    EXPECT_NE(std::string(error.what()).find("AccessDenied: Access Denied"), std::string::npos)
        << error.what();
  }
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(S3StorageMultipart, AFailedPartAbortsTheUpload) {
  ScriptedHttpServer server({
      {200,
       {},
       "<InitiateMultipartUploadResult><UploadId>up-1</UploadId>"
       "</InitiateMultipartUploadResult>"},
      {200, {"ETag: \"part-1\""}, ""},
      {403, {}, "<Error><Code>AccessDenied</Code></Error>"},
      {204, {}, ""},  // the abort
  });
  S3Storage storage(scripted_config(server), small_options());
  const auto source = temp_file("basalt-s3-multipart-fail", std::string((3 << 20) / 2, 'x'));
  EXPECT_THROW(storage.put_file("c/r/big.bin", source, "application/octet-stream"), StorageError);
  std::filesystem::remove(source);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/bkt/c/r/big.bin?uploads=");
  EXPECT_EQ(requests[1].target, "/bkt/c/r/big.bin?partNumber=1&uploadId=up-1");
  EXPECT_EQ(requests[1].body.size(), std::size_t{1} << 20);
  EXPECT_EQ(requests[2].target, "/bkt/c/r/big.bin?partNumber=2&uploadId=up-1");
  EXPECT_EQ(requests[3].method, "DELETE");
  EXPECT_EQ(requests[3].target, "/bkt/c/r/big.bin?uploadId=up-1");
}

TEST(S3StorageMultipart, AnErrorInsideA200CompletionAbortsTheUpload) {
  ScriptedHttpServer server({
      {200,
       {},
       "<InitiateMultipartUploadResult><UploadId>up-2</UploadId>"
       "</InitiateMultipartUploadResult>"},
      {200, {"ETag: \"p1\""}, ""},
      {200, {"ETag: \"p2\""}, ""},
      {200, {}, "<Error><Code>InternalError</Code><Message>try again</Message></Error>"},
      {204, {}, ""},
  });
  S3Options options = small_options();
  options.retry.max_attempts = 1;
  S3Storage storage(scripted_config(server), options);
  const auto source = temp_file("basalt-s3-multipart-complete", std::string((3 << 20) / 2, 'y'));
  try {
    storage.put_file("c/r/big.bin", source, "application/octet-stream");
    FAIL() << "an <Error> completion must fail";
  } catch (const StorageError& error) {
    EXPECT_NE(std::string(error.what()).find("InternalError"), std::string::npos) << error.what();
  }
  std::filesystem::remove(source);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 5u);
  EXPECT_EQ(requests[3].target, "/bkt/c/r/big.bin?uploadId=up-2");
  EXPECT_NE(requests[3].body.find("<PartNumber>2</PartNumber><ETag>&quot;p2&quot;</ETag>"),
            std::string::npos)
      << requests[3].body;
  EXPECT_EQ(requests[4].method, "DELETE");
}

TEST(S3StorageRanges, AServerThatIgnoresRangeStillYieldsTheRange) {
  ScriptedHttpServer server({{200, {}, "0123456789abcdef"}});
  S3Storage storage(scripted_config(server), small_options());
  EXPECT_EQ(storage.read_range("c/r/f.txt", 10, 4), "abcd");
}

// An error body is read only as far as its first 64 KiB: one that never ends (a broken or
// hostile server) still fails the call at once, with S3's reason, instead of at a timeout.
TEST(S3StorageErrors, AnEndlessErrorBodyIsCutAndStillExplainsTheError) {
  std::string body = "<Error><Code>NoSuchBucket</Code><Message>gone</Message></Error>";
  body += std::string(std::size_t{100} << 10, ' ');
  ScriptedHttpServer server({{404, {}, body, std::size_t{1} << 30}});
  S3Options options = small_options();
  options.retry.max_attempts = 1;
  options.timeouts.low_speed_time = std::chrono::seconds(3);  // a read's only limit; unused
                                                              // with the cut
  S3Storage storage(scripted_config(server), options);
  try {
    storage.read_range("c/r/f.txt", 0, 10);
    FAIL() << "a 404 must fail";
  } catch (const StorageError& error) {
    EXPECT_TRUE(error.not_found());
    EXPECT_NE(std::string(error.what()).find("NoSuchBucket: gone"), std::string::npos)
        << error.what();
  }
}

TEST(S3StorageConfig, RefusesConfigurationsThatCannotWork) {
  S3Config config{.bucket = "b", .region = "r", .endpoint = "http://127.0.0.1:1"};
  EXPECT_NO_THROW(S3Storage{config});
  config.region.clear();
  EXPECT_THROW(S3Storage{config}, StorageError);
  config.region = "r";
  config.endpoint = "gopher://x";
  EXPECT_THROW(S3Storage{config}, StorageError);
}

}  // namespace
}  // namespace basalt::files
