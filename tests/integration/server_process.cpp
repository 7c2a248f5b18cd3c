#include "server_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "command.hpp"

namespace basalt::testing {
namespace {

constexpr int kStartupTimeoutMs = 30000;  // a bound for a broken build, not a timing assert
constexpr std::string_view kAnnouncement = "Server started at http://127.0.0.1:";

}  // namespace

ServerProcess::ServerProcess(std::vector<std::string> extra_args) {
  char pattern[] = "/tmp/basalt-it-XXXXXX";
  if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;

  // A test that passes its own --dir (to share a directory with commands) keeps it.
  const bool own_dir = std::find(extra_args.begin(), extra_args.end(), "--dir") != extra_args.end();
  const bool own_http =
      std::find(extra_args.begin(), extra_args.end(), "--http") != extra_args.end();
  std::vector<std::string> args = {basalt_binary(), "serve"};
  if (!own_http) {
    args.push_back("--http");
    args.push_back("127.0.0.1:0");
  }
  if (!own_dir) {
    args.push_back("--dir");
    args.push_back(dir_ + "/data");
  }
  args.insert(args.end(), extra_args.begin(), extra_args.end());

  std::vector<char*> argv = exec_pointers(args);
  std::vector<std::string> environment = basalt_environment();
  std::vector<char*> envp = exec_pointers(environment);
  int out[2];
  if (pipe(out) != 0) throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(out[1], STDOUT_FILENO);
    int err = open((dir_ + "/stderr.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(err, STDERR_FILENO);
    close(out[0]);
    close(out[1]);
    close(err);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(out[1]);
  stdout_fd_ = out[0];
  port_ = wait_announcement();
  if (port_ == 0) {
    kill(pid_, SIGKILL);
    wait_exit();
    throw std::runtime_error("server did not start; stdout: '" + stdout_ +
                             "' stderr: " + stderr_text());
  }
}

int ServerProcess::wait_announcement() {
  // Only the announcement goes to stdout (logs go to stderr), so the pipe never fills.
  while (stdout_.find('\n') == std::string::npos) {
    pollfd p{stdout_fd_, POLLIN, 0};
    if (poll(&p, 1, kStartupTimeoutMs) <= 0) return 0;
    char buf[256];
    ssize_t n = read(stdout_fd_, buf, sizeof buf);
    if (n <= 0) return 0;
    stdout_.append(buf, static_cast<std::size_t>(n));
  }
  const std::string line = stdout_.substr(0, stdout_.find('\n'));
  if (line.rfind(kAnnouncement, 0) != 0) return 0;
  stdout_.erase(0, line.size() + 1);
  return std::atoi(line.c_str() + kAnnouncement.size());
}

ServerProcess::~ServerProcess() {
  if (!exited_) {
    kill(pid_, SIGKILL);
    wait_exit();
  }
  if (stdout_fd_ >= 0) close(stdout_fd_);
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void ServerProcess::signal(int signal) const {
  kill(pid_, signal);
}

int ServerProcess::wait_exit() {
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  exited_ = true;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1000;
}

std::string ServerProcess::stderr_text() const {
  std::ifstream in(dir_ + "/stderr.log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace basalt::testing
