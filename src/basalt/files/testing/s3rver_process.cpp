#include "basalt/files/testing/s3rver_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <stdexcept>
#include <vector>

extern char** environ;

#include "basalt/core/testing/source_dir.hpp"

namespace basalt::files::test_support {
namespace {

constexpr int kStartTimeoutMs = 60'000;

std::filesystem::path script_path() {
  return core::testing::source_dir() / "tests" / "e2e" / "s3rver-sigv4.mjs";
}

std::filesystem::path fresh_directory() {
  std::random_device random;
  auto dir = std::filesystem::temp_directory_path() /
             ("basalt-s3rver-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace

S3rverProcess::S3rverProcess(std::string bucket)
    : bucket_(std::move(bucket)), directory_(fresh_directory()) {
  if (!std::filesystem::exists(core::testing::source_dir() / "tests" / "e2e" / "node_modules" /
                               "s3rver")) {
    throw std::runtime_error(
        "s3rver is not installed (tests/e2e/node_modules/s3rver missing): run "
        "scripts/install-deps.sh");
  }
  int in_pipe[2];
  int out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  const std::string script = script_path().string();
  const std::string dir = directory_.string();
  // s3rver 3.7.1 makes its ListObjectsV2 continuation tokens with DES, which Node 17+ (OpenSSL
  // 3) only offers with the legacy provider: without it every second page is a 500.
  std::vector<std::string> args = {"node",     "--openssl-legacy-provider",
                                   script,     "--dir",
                                   dir,        "--bucket",
                                   bucket_,    "--access-key",
                                   kAccessKey, "--secret",
                                   kSecret,    "--region",
                                   kRegion};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const int spawned = ::posix_spawnp(&pid_, "node", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  stdin_fd_ = in_pipe[1];
  if (spawned != 0) {
    pid_ = -1;
    ::close(out_pipe[0]);
    stop();
    throw std::runtime_error(std::string("cannot start node (") + std::strerror(spawned) +
                             "): install Node.js with scripts/install-deps.sh");
  }

  // Reads "listening <port>\n" (bounded: one short line, within kStartTimeoutMs).
  std::string line;
  char c = 0;
  while (line.size() < 64) {
    pollfd ready{out_pipe[0], POLLIN, 0};
    if (::poll(&ready, 1, kStartTimeoutMs) <= 0) break;
    if (::read(out_pipe[0], &c, 1) != 1 || c == '\n') break;
    line.push_back(c);
  }
  ::close(out_pipe[0]);
  if (!line.starts_with("listening ")) {
    stop();
    throw std::runtime_error("s3rver-sigv4.mjs did not start (said '" + line +
                             "'): check tests/e2e/node_modules (scripts/install-deps.sh)");
  }
  port_ = static_cast<unsigned short>(std::stoi(line.substr(10)));
}

S3rverProcess::~S3rverProcess() {
  stop();
}

void S3rverProcess::stop() noexcept {
  if (stdin_fd_ >= 0) {
    ::close(stdin_fd_);  // the script stops when its stdin closes
    stdin_fd_ = -1;
  }
  if (pid_ > 0) {
    int status = 0;
    // Up to ~10 s for a clean exit, then SIGKILL; never left running.
    for (int i = 0; i < 1000 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i) ::usleep(10'000);
    if (::waitpid(pid_, &status, WNOHANG) == 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

}  // namespace basalt::files::test_support
