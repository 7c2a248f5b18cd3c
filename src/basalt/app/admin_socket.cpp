#include "basalt/app/admin_socket.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <ostream>
#include <sstream>

namespace basalt::app {
namespace {

namespace json = boost::json;

bool socket_address(const std::string& path, sockaddr_un& address) {
  std::memset(&address, 0, sizeof address);
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) return false;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return true;
}

// Reads until EOF, at most `limit` bytes (then false), each read within the socket's timeout.
bool read_all(int fd, std::string& out, std::size_t limit) {
  char buffer[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (out.size() + static_cast<std::size_t>(n) > limit) return false;
    out.append(buffer, static_cast<std::size_t>(n));
  }
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void set_timeout(int fd, int option, std::chrono::seconds timeout) {
  timeval tv{static_cast<time_t>(timeout.count()), 0};
  ::setsockopt(fd, SOL_SOCKET, option, &tv, sizeof tv);
}

// Only the server's own user (or root) may run commands.
bool trusted_peer(int fd) {
  ucred peer{};
  socklen_t size = sizeof peer;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0) return false;
  return peer.uid == ::geteuid() || peer.uid == 0;
}

std::optional<AdminCommand> parse_request(const std::string& text) {
  boost::system::error_code ec;
  json::value request = json::parse(text, ec);
  if (ec || !request.is_object()) return std::nullopt;
  const json::object& object = request.get_object();
  const json::value* name = object.if_contains("command");
  const json::value* args = object.if_contains("args");
  if (!name || !name->is_string() || !args || !args->is_array()) return std::nullopt;
  AdminCommand command{std::string(name->get_string()), {}};
  for (const json::value& arg : args->get_array()) {
    if (!arg.is_string()) return std::nullopt;
    command.args.emplace_back(arg.get_string());
  }
  return command;
}

}  // namespace

std::string admin_socket_path(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "admin.sock").string();
}

AdminSocket::AdminSocket(const std::string& data_dir, AdminCommands& commands)
    : path_(admin_socket_path(data_dir)), commands_(commands) {
  sockaddr_un address;
  if (!socket_address(path_, address)) {
    spdlog::warn(
        "admin socket off: {} is too long for a socket address; CLI data commands need "
        "the server stopped",
        path_);
    return;
  }
  ::unlink(path_.c_str());  // a stale socket of an earlier server: the directory lock is ours
  listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) ||
      ::chmod(path_.c_str(), S_IRUSR | S_IWUSR) || ::listen(listener_, 8) ||
      ::pipe2(stop_, O_CLOEXEC)) {
    spdlog::warn("admin socket off: cannot listen on {}: {}", path_, std::strerror(errno));
    if (listener_ >= 0) ::close(listener_);
    listener_ = -1;
    ::unlink(path_.c_str());
    return;
  }
  thread_ = std::thread([this] { serve(); });
}

AdminSocket::~AdminSocket() {
  if (listener_ < 0) return;
  (void)!::write(stop_[1], "x", 1);
  thread_.join();
  ::close(listener_);
  ::close(stop_[0]);
  ::close(stop_[1]);
  ::unlink(path_.c_str());
}

void AdminSocket::serve() {
  for (;;) {
    pollfd fds[2] = {{listener_, POLLIN, 0}, {stop_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      spdlog::error("admin socket: poll failed: {}", std::strerror(errno));
      return;
    }
    if (fds[1].revents != 0) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    answer(client);
    ::close(client);
  }
}

void AdminSocket::answer(int client) {
  if (!trusted_peer(client)) {
    spdlog::warn("admin socket: refused a connection from another user");
    return;
  }
  set_timeout(client, SO_RCVTIMEO, kAdminReadTimeout);
  set_timeout(client, SO_SNDTIMEO, kAdminReadTimeout);
  std::string request;
  std::optional<AdminCommand> command;
  if (read_all(client, request, kMaxAdminRequestBytes)) command = parse_request(request);
  std::ostringstream out;
  std::ostringstream err;
  int code = 2;
  if (command) {
    spdlog::info("admin socket: running {}", command->name);  // never its operands
    code = commands_.run(*command, out, err);
  } else {
    err << "basalt: the admin request is malformed or too large\n";
  }
  json::object response{{"exit", code}, {"stdout", out.str()}, {"stderr", err.str()}};
  write_all(client, json::serialize(response));
}

std::optional<int> send_admin_command(const std::string& data_dir, const AdminCommand& command,
                                      std::ostream& out, std::ostream& err) {
  sockaddr_un address;
  if (!socket_address(admin_socket_path(data_dir), address)) return std::nullopt;
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    return std::nullopt;
  }
  json::array args;
  for (const auto& arg : command.args) args.emplace_back(arg);
  json::object request{{"command", command.name}, {"args", std::move(args)}};
  if (!write_all(fd, json::serialize(request)) || ::shutdown(fd, SHUT_WR) != 0) {
    return std::nullopt;
  }
  // The command may wait on the server's writer: no read timeout on this side.
  std::string text;
  if (!read_all(fd, text, 2 * kMaxAdminRequestBytes)) return std::nullopt;
  boost::system::error_code ec;
  json::value response = json::parse(text, ec);
  const json::object* object = ec ? nullptr : response.if_object();
  if (!object) return std::nullopt;
  const json::value* code = object->if_contains("exit");
  const json::value* stdout_text = object->if_contains("stdout");
  const json::value* stderr_text = object->if_contains("stderr");
  if (!code || !code->is_int64() || !stdout_text || !stdout_text->is_string() || !stderr_text ||
      !stderr_text->is_string()) {
    return std::nullopt;
  }
  out << std::string_view(stdout_text->get_string());
  err << std::string_view(stderr_text->get_string());
  return static_cast<int>(code->get_int64());
}

}  // namespace basalt::app
