#include "basalt/brokers/testing/broker_process.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <vector>

namespace basalt::brokers::testing {
namespace {

// True when a TCP socket can bind 127.0.0.1:port now.
bool can_bind(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return ok;
}

// The ports each script derives from its main port (see the scripts' headers).
std::vector<int> companion_offsets(const std::string& kind) {
  if (kind == "rabbitmq") return {20000};  // Erlang distribution port
  if (kind == "nats") return {1000};       // monitoring port (readiness)
  return {};
}

// A port below the ephemeral range (so a client socket does not take it between our check and
// the broker's bind) whose companions are free too.
std::uint16_t pick_port(const std::string& kind) {
  std::random_device seed;
  std::mt19937 random(seed());
  std::uniform_int_distribution<int> range(20000, 32000);
  const auto offsets = companion_offsets(kind);
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int port = range(random);
    bool free = can_bind(static_cast<std::uint16_t>(port));
    for (int offset : offsets) {
      free = free && port + offset < 65536 && can_bind(static_cast<std::uint16_t>(port + offset));
    }
    if (free) return static_cast<std::uint16_t>(port);
  }
  throw std::runtime_error("no free port for the test broker");
}

}  // namespace

std::uint16_t unused_loopback_port() {
  return pick_port("redis");
}

SilentListener::SilentListener() {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = 0;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(fd_, 16) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("silent listener");
  }
  port_ = ntohs(address.sin_port);
}

SilentListener::~SilentListener() {
  if (fd_ >= 0) ::close(fd_);
}

BrokerProcess::BrokerProcess(std::string kind)
    : kind_(std::move(kind)),
      script_(std::string(BASALT_SOURCE_DIR) + "/scripts/" + kind_ + "-test-server.sh") {
  // As the server does (app/app.cpp): a write to a socket the killed broker reset must be an
  // error the connector handles, not a signal that ends the test.
  std::signal(SIGPIPE, SIG_IGN);
  auto base = std::filesystem::temp_directory_path() / ("basalt-" + kind_ + "-XXXXXX");
  std::string pattern = base.string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  // The scripts want to create the directory themselves (or find it empty): use a child.
  dir_ = pattern + "/broker";
  port_ = pick_port(kind_);
  url_ = run("start " + dir_ + " " + std::to_string(port_), true);
  if (url_.empty()) {
    // The destructor will not run: stop whatever the script left and remove the directory.
    run("stop " + dir_, false);
    std::error_code ignored;
    std::filesystem::remove_all(pattern, ignored);
    throw std::runtime_error(kind_ + " test server did not start");
  }
}

BrokerProcess::~BrokerProcess() {
  if (paused_) resume();  // a stopped process would only die at stop's SIGKILL
  run("stop " + dir_, false);
  std::error_code ignored;
  std::filesystem::remove_all(std::filesystem::path(dir_).parent_path(), ignored);
}

void BrokerProcess::kill() {
  run("kill " + dir_, false);
}

void BrokerProcess::pause() {
  run("pause " + dir_, false);
  paused_ = true;
}

void BrokerProcess::resume() {
  run("resume " + dir_, false);
  paused_ = false;
}

void BrokerProcess::restart() {
  if (run("restart " + dir_, true).empty()) {
    throw std::runtime_error(kind_ + " test server did not restart");
  }
}

std::string BrokerProcess::rabbitmqctl(const std::string& arguments) {
  if (kind_ != "rabbitmq") throw std::logic_error("rabbitmqctl: not a RabbitMQ test server");
  // run() returns "" on failure; a command that succeeds prints at least a newline here.
  std::string output = run("ctl " + dir_ + " " + arguments, true);
  if (output.empty()) throw std::runtime_error("rabbitmqctl " + arguments + " failed");
  return output;
}

std::string BrokerProcess::run(const std::string& command, bool want_output) {
  const std::string line = script_ + " " + command + " 2>&1";
  FILE* pipe = ::popen(line.c_str(), "r");
  if (pipe == nullptr) return {};
  std::string output;
  std::array<char, 512> buffer{};
  while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr) {
    output += buffer.data();
  }
  const int status = ::pclose(pipe);
  const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!ok) {
    std::fprintf(stderr, "%s %s failed: %s\n", script_.c_str(), command.c_str(), output.c_str());
    return {};
  }
  if (!want_output) return "ok";
  // The URL is the script's last line.
  while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) output.pop_back();
  const auto newline = output.rfind('\n');
  return newline == std::string::npos ? output : output.substr(newline + 1);
}

}  // namespace basalt::brokers::testing
