// A real broker on loopback for the connector tests, driven through the repository's
// scripts/<kind>-test-server.sh (start/kill/restart/stop). Test-only.
//
// Thread ownership: used by the test's main thread only.
#pragma once

#include <cstdint>
#include <string>

namespace basalt::brokers::testing {

class BrokerProcess {
 public:
  // kind: "rabbitmq", "nats" or "redis". Picks a free port (and the companion ports the script
  // derives from it), a fresh directory under the system temp directory, and starts the broker;
  // throws std::runtime_error when it does not come up.
  explicit BrokerProcess(std::string kind);
  ~BrokerProcess();  // stop: SIGTERM, wait, remove the directory

  BrokerProcess(const BrokerProcess&) = delete;
  BrokerProcess& operator=(const BrokerProcess&) = delete;

  const std::string& url() const { return url_; }
  std::uint16_t port() const { return port_; }

  void kill();     // SIGKILL: a crash; the data directory stays
  void restart();  // the same port and data; throws when it does not come up
  void pause();    // SIGSTOP: connected, answering nothing (the destructor resumes it first)
  void resume();   // SIGCONT
  // RabbitMQ only: `rabbitmqctl <arguments>` against this node (a shell word list, quoted by
  // the caller); its output, and throws when it fails.
  std::string rabbitmqctl(const std::string& arguments);

 private:
  std::string run(const std::string& command, bool want_output);

  std::string kind_;
  std::string script_;
  std::string dir_;
  std::uint16_t port_ = 0;
  std::string url_;
  bool paused_ = false;
};

// A port with nothing listening on it now (for "connection refused" tests).
std::uint16_t unused_loopback_port();

// A loopback socket that listens and never accepts or answers: the kernel completes TCP
// handshakes into the backlog, so a client connects and then waits for a greeting or reply
// that never comes. Tests that a connector's own timeouts end every wait.
class SilentListener {
 public:
  SilentListener();
  ~SilentListener();
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace basalt::brokers::testing
