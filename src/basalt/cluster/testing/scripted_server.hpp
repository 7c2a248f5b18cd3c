// A Redis or NATS server for a test, started through scripts/<name>-test-server.sh on a free
// loopback port in a temporary directory, stopped and removed at the end. Tests only.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "basalt/core/testing/source_dir.hpp"

namespace basalt::cluster::testing {

class ScriptedServer {
 public:
  // `name`: "redis" or "nats". Throws when the server does not start.
  explicit ScriptedServer(std::string name) : name_(std::move(name)) {
    dir_ = std::filesystem::temp_directory_path() /
           ("basalt-" + name_ + "-" + std::to_string(::getpid()) + "-" + std::to_string(serial()));
    std::filesystem::remove_all(dir_);
    url_ = run("start " + dir_.string() + " " + std::to_string(free_port()));
    while (!url_.empty() && (url_.back() == '\n' || url_.back() == ' ')) url_.pop_back();
    if (url_.find("://") == std::string::npos) throw std::runtime_error(name_ + " did not start");
  }
  ~ScriptedServer() {
    try {
      run("stop " + dir_.string());
    } catch (...) {
    }
  }
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  const std::string& url() const noexcept { return url_; }
  void kill() { run("kill " + dir_.string()); }
  // Same port and data; returns once it answers.
  void restart() { run("restart " + dir_.string()); }

 private:
  static unsigned serial() {
    static unsigned next = 0;
    return next++;
  }

  // A port the kernel just handed out (and took back): free unless someone races for it.
  static int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      ::close(fd);
      throw std::runtime_error("no free port");
    }
    ::close(fd);
    return ntohs(address.sin_port);
  }

  std::string run(const std::string& arguments) {
    const std::string command =
        (core::testing::source_dir() / "scripts" / (name_ + "-test-server.sh")).string() + " " +
        arguments + " 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
    std::string out;
    char buffer[256];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
    if (::pclose(pipe) != 0) throw std::runtime_error(command + " failed: " + out);
    return out;
  }

  std::string name_;
  std::filesystem::path dir_;
  std::string url_;
};

}  // namespace basalt::cluster::testing
