// S3rverProcess: a real S3 API server on loopback for tests — tests/e2e/s3rver-sigv4.mjs
// (s3rver with every request's SigV4 signature checked against the configured secret), started
// as a child process with its own temporary directory and stopped with the object.
//
// It needs `node` on PATH and tests/e2e/node_modules (scripts/install-deps.sh installs both).
// When either is missing the constructor throws std::runtime_error saying so: the S3 tests then
// fail with that message instead of being skipped.
// Not thread-safe: one owner (the test).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace basalt::files::test_support {

class S3rverProcess {
 public:
  static constexpr const char* kAccessKey = "BASALTTESTKEY";
  static constexpr const char* kSecret = "basalt-test-secret/0123456789";
  static constexpr const char* kRegion = "us-east-1";

  explicit S3rverProcess(std::string bucket);
  ~S3rverProcess();
  S3rverProcess(const S3rverProcess&) = delete;
  S3rverProcess& operator=(const S3rverProcess&) = delete;

  unsigned short port() const noexcept { return port_; }
  const std::string& bucket() const noexcept { return bucket_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  void stop() noexcept;

  std::string bucket_;
  std::filesystem::path directory_;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;  // closing it tells the server to stop
  unsigned short port_ = 0;
};

}  // namespace basalt::files::test_support
