// ServerProcess: the real `basalt serve` binary started on 127.0.0.1:0 in a fresh temporary
// data directory. The constructor returns once the server announced its port on stdout.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace basalt::testing {

class ServerProcess {
 public:
  // `extra_args` are appended to `serve --http 127.0.0.1:0 --dir <tmp>` (without the --http or
  // the --dir when `extra_args` has its own).
  explicit ServerProcess(std::vector<std::string> extra_args = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const noexcept { return port_; }
  pid_t pid() const noexcept { return pid_; }

  void signal(int signal) const;
  // Waits for the process to exit and returns its exit code (-signal if killed by one).
  int wait_exit();
  // Everything the server wrote to stderr so far.
  std::string stderr_text() const;
  // Waits for the next "Server started at" line on stdout (a process that restarted itself
  // in place announces again) and returns its port; 0 when stdout ended first.
  int wait_announcement();

 private:
  std::string dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  bool exited_ = false;
  int stdout_fd_ = -1;  // the read end of the server's stdout
  std::string stdout_;  // read from it and not yet consumed
};

}  // namespace basalt::testing
