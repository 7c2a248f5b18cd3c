#include "basalt/files/testing/scripted_http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace basalt::files::test_support {
namespace {

constexpr std::size_t kMaxRequestBytes = 64 << 20;

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (sent <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// The value of header `name` (lower case) in the head, or "".
std::string header(const std::string& head, const std::string& name) {
  const std::string lowered = lower(head);
  const std::size_t at = lowered.find("\r\n" + name + ":");
  if (at == std::string::npos) return {};
  std::size_t start = at + 3 + name.size();
  const std::size_t end = head.find("\r\n", start);
  while (start < end && head[start] == ' ') ++start;
  return head.substr(start, end - start);
}

}  // namespace

ScriptedHttpServer::ScriptedHttpServer(std::vector<ScriptedResponse> script)
    : script_(std::move(script)) {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof(address);
  if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
      ::listen(listener_, 16) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    throw std::runtime_error("ScriptedHttpServer: cannot listen on loopback");
  }
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { serve(); });
}

ScriptedHttpServer::~ScriptedHttpServer() {
  stopping_ = true;
  ::shutdown(listener_, SHUT_RDWR);
  thread_.join();
  ::close(listener_);
}

std::vector<RecordedRequest> ScriptedHttpServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

void ScriptedHttpServer::serve() {
  while (!stopping_) {
    pollfd ready{listener_, POLLIN, 0};
    if (::poll(&ready, 1, 100) <= 0) continue;  // wakes to see stopping_
    const int connection = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0) continue;
    answer(connection);
    ::close(connection);
  }
}

void ScriptedHttpServer::answer(int connection) {
  std::string data;
  char buffer[65536];
  auto receive = [&]() {
    pollfd ready{connection, POLLIN, 0};
    if (::poll(&ready, 1, 10'000) <= 0) return false;
    const ssize_t got = ::recv(connection, buffer, sizeof(buffer), 0);
    if (got <= 0) return false;
    data.append(buffer, static_cast<std::size_t>(got));
    return data.size() <= kMaxRequestBytes;
  };
  std::size_t head_end;
  while ((head_end = data.find("\r\n\r\n")) == std::string::npos) {
    if (!receive()) return;
  }
  const std::string head = data.substr(0, head_end + 2);
  RecordedRequest request;
  const std::size_t space = head.find(' ');
  request.method = head.substr(0, space);
  request.target = head.substr(space + 1, head.find(' ', space + 1) - space - 1);
  const std::string length_text = header(head, "content-length");
  const std::size_t length = length_text.empty() ? 0 : std::stoul(length_text);
  if (lower(header(head, "expect")) == "100-continue") {
    if (!send_all(connection, "HTTP/1.1 100 Continue\r\n\r\n")) return;
  }
  while (data.size() < head_end + 4 + length) {
    if (!receive()) return;
  }
  request.body = data.substr(head_end + 4, length);
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(std::move(request));
  }
  const ScriptedResponse response =
      next_ < script_.size() ? script_[next_++] : ScriptedResponse{500, {}, "script exhausted"};
  if (response.status == ScriptedResponse::kHangUp) return;
  // Bounded: the client's timeout (or its giving up) closes the connection.
  auto wait_for_client_to_leave = [&] {
    pollfd closed{connection, POLLIN, 0};
    while (!stopping_ && ::poll(&closed, 1, 100) == 0) {
    }
  };
  if (response.status == ScriptedResponse::kNeverAnswer) return wait_for_client_to_leave();
  std::string out = "HTTP/1.1 " + std::to_string(response.status) + " Scripted\r\n";
  for (const std::string& line : response.headers) out += line + "\r\n";
  const std::size_t declared = std::max(response.declared_length, response.body.size());
  out += "Content-Length: " + std::to_string(declared) + "\r\nConnection: close\r\n\r\n";
  out += response.body;
  if (send_all(connection, out) && declared > response.body.size()) wait_for_client_to_leave();
}

}  // namespace basalt::files::test_support
