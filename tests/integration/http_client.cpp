#include "http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <stdexcept>

namespace basalt::testing {
namespace {

int open_socket(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int saved = errno;
    ::close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

RawConnection::RawConnection(int port, int read_timeout_s) {
  fd_ = open_socket(port);
  if (fd_ < 0) throw std::runtime_error("connect failed");
  timeval tv{read_timeout_s, 0};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawConnection::send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool RawConnection::fill() {
  char buf[16384];
  ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
  if (n <= 0) return false;
  buffer_.append(buf, static_cast<std::size_t>(n));
  return true;
}

std::optional<HttpResponse> RawConnection::read_response(bool head) {
  std::size_t end;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return std::nullopt;
  }
  HttpResponse response;
  std::string header_block = buffer_.substr(0, end);
  buffer_.erase(0, end + 4);
  std::size_t line_end = header_block.find("\r\n");
  std::string status_line = header_block.substr(0, line_end);
  if (status_line.rfind("HTTP/1.1 ", 0) != 0) return std::nullopt;
  response.status = std::atoi(status_line.c_str() + 9);
  while (line_end != std::string::npos) {
    std::size_t start = line_end + 2;
    line_end = header_block.find("\r\n", start);
    std::string line = header_block.substr(
        start, line_end == std::string::npos ? std::string::npos : line_end - start);
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    std::string name = lower(line.substr(0, colon));
    auto& slot = response.headers[name];
    slot = slot.empty() ? value : slot + ", " + value;
  }
  if (head || response.status == 204 || response.status == 304 || response.status < 200) {
    return response;
  }
  std::string length = response.header("content-length");
  if (length.empty()) {
    while (fill()) {
    }
    response.body = std::move(buffer_);
    buffer_.clear();
    return response;
  }
  std::size_t want = std::strtoull(length.c_str(), nullptr, 10);
  while (buffer_.size() < want) {
    if (!fill()) return std::nullopt;
  }
  response.body = buffer_.substr(0, want);
  buffer_.erase(0, want);
  return response;
}

bool RawConnection::has_answer_now() {
  if (!buffer_.empty()) return true;
  pollfd entry{fd_, POLLIN, 0};
  return ::poll(&entry, 1, 0) > 0;
}

bool RawConnection::wait_closed() {
  for (;;) {
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;  // EAGAIN here means the read bound ran out
  }
}

bool connect_refused(int port) {
  int fd = open_socket(port);
  if (fd >= 0) {
    ::close(fd);
    return false;
  }
  return errno == ECONNREFUSED;
}

std::optional<HttpResponse> request(int port, std::string_view raw_request) {
  RawConnection connection(port);
  if (!connection.send(raw_request)) return std::nullopt;
  return connection.read_response();
}

std::optional<HttpResponse> call(int port, std::string_view method, std::string_view path,
                                 std::string_view token, std::string_view body,
                                 std::string_view content_type) {
  std::string raw = std::string(method) + " " + std::string(path) + " HTTP/1.1\r\nHost: t\r\n";
  if (!token.empty()) raw += "Authorization: " + std::string(token) + "\r\n";
  raw += "Content-Type: " + std::string(content_type) +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
  return request(port, raw);
}

std::string multipart_body(std::string_view boundary, const std::vector<FormPart>& parts) {
  std::string body;
  for (const FormPart& part : parts) {
    body += "--" + std::string(boundary) + "\r\nContent-Disposition: form-data; name=\"" +
            part.name + "\"";
    if (!part.filename.empty()) {
      body += "; filename=\"" + part.filename + "\"\r\nContent-Type: " + part.content_type;
    }
    body += "\r\n\r\n" + part.content + "\r\n";
  }
  return body + "--" + std::string(boundary) + "--\r\n";
}

}  // namespace basalt::testing
