#include "basalt/events/plain_http_transport.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>
#include <variant>

#include "basalt/brokers/host_resolver.hpp"

namespace basalt::events {

namespace {

namespace http = boost::beast::http;
using std::chrono::milliseconds;

constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
constexpr std::size_t kReadChunk = 16 * 1024;
constexpr std::size_t kMaxUnparsedBytes = kMaxHeaderBytes;
constexpr int kMaxInterimAnswers = 8;
constexpr milliseconds kTimeoutSlack{100};
// A connection kept longer than this since its last answer is checked before reuse (one
// poll(2)); back-to-back deliveries skip the check.
constexpr milliseconds kQuietCheckAfter{1000};

std::string url_part(CURLU* url, CURLUPart part, unsigned flags = 0) {
  char* value = nullptr;
  if (curl_url_get(url, part, &value, flags) != CURLUE_OK || !value) return {};
  std::string text(value);
  curl_free(value);
  return text;
}

std::string system_error(std::string_view what, int error) {
  return std::string(what) + ": " + std::strerror(error);
}

milliseconds left(std::chrono::steady_clock::time_point deadline) {
  return std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
}

// Connects a non-blocking socket to a numeric address within the time left; the socket stays
// non-blocking. -1 with `error` set when it cannot.
int connect_within(const std::string& address, std::uint16_t port,
                   std::chrono::steady_clock::time_point deadline, std::string& error) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  if (auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
      ::inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    length = sizeof(sockaddr_in);
  } else if (auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
             ::inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    length = sizeof(sockaddr_in6);
  } else {
    error = "not an address: " + address;
    return -1;
  }
  const int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = system_error("socket", errno);
    return -1;
  }
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&storage), length) != 0) {
    if (errno != EINPROGRESS) {
      error = system_error("connect", errno);
      ::close(fd);
      return -1;
    }
    while (true) {
      const milliseconds wait = left(deadline);
      if (wait.count() <= 0) {
        error = "connect: timed out";
        ::close(fd);
        return -1;
      }
      pollfd watched{fd, POLLOUT, 0};
      const int ready = ::poll(&watched, 1, static_cast<int>(wait.count()));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) {
        error = ready == 0 ? "connect: timed out" : system_error("poll", errno);
        ::close(fd);
        return -1;
      }
      int status = 0;
      socklen_t size = sizeof status;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &status, &size);
      if (status != 0) {
        error = system_error("connect", status);
        ::close(fd);
        return -1;
      }
      break;
    }
  }
  return fd;
}

void set_timeout(int fd, int option, milliseconds value) {
  timeval time{};
  time.tv_sec = static_cast<time_t>(value.count() / 1000);
  time.tv_usec = static_cast<suseconds_t>((value.count() % 1000) * 1000);
  if (time.tv_sec == 0 && time.tv_usec == 0) time.tv_usec = 1000;  // 0 would mean "no limit"
  ::setsockopt(fd, SOL_SOCKET, option, &time, sizeof time);
}

}  // namespace

std::optional<PlainHttpOrigin> plain_http_origin(const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> parsed(curl_url(), &curl_url_cleanup);
  if (!parsed || curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return std::nullopt;
  }
  if (url_part(parsed.get(), CURLUPART_SCHEME) != "http") return std::nullopt;
  if (!url_part(parsed.get(), CURLUPART_USER).empty()) return std::nullopt;
  PlainHttpOrigin origin;
  const std::string host = url_part(parsed.get(), CURLUPART_HOST);
  if (host.empty()) return std::nullopt;
  for (const char c : host) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return std::nullopt;  // IDN and the like: libcurl's business
  }
  const bool bracketed = host.size() > 2 && host.front() == '[' && host.back() == ']';
  origin.host = bracketed ? host.substr(1, host.size() - 2) : host;
  // An IPv6 zone ("[fe80::1%25eth0]", given apart by the parser): libcurl's business.
  if (!url_part(parsed.get(), CURLUPART_ZONEID).empty()) return std::nullopt;
  const std::string port = url_part(parsed.get(), CURLUPART_PORT);
  if (!port.empty()) {
    const auto [end, failed] = std::from_chars(port.data(), port.data() + port.size(), origin.port);
    if (failed != std::errc() || end != port.data() + port.size() || origin.port == 0) {
      return std::nullopt;
    }
  }
  origin.host_header = port.empty() ? host : host + ":" + port;
  origin.target = url_part(parsed.get(), CURLUPART_PATH);
  if (origin.target.empty()) origin.target = "/";
  const std::string query = url_part(parsed.get(), CURLUPART_QUERY);
  if (!query.empty()) origin.target += "?" + query;
  // libcurl percent-encodes bytes past ASCII in a path or query; such URLs stay with it. (The
  // parser refuses control characters and spaces, so none reach the request line.)
  for (const char c : origin.target) {
    if (static_cast<unsigned char>(c) >= 0x7f) return std::nullopt;
  }
  return origin;
}

PlainHttpTransport::PlainHttpTransport(PlainHttpOrigin origin, bool allow_private,
                                       milliseconds connect_timeout, milliseconds total_timeout)
    : origin_(std::move(origin)),
      allow_private_(allow_private),
      connect_timeout_(connect_timeout),
      total_timeout_(total_timeout) {}

PlainHttpTransport::~PlainHttpTransport() {
  close();
}

void PlainHttpTransport::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string PlainHttpTransport::serialize(const WebhookRequest& request) const {
  bool user_agent = false;
  bool accept = false;
  std::size_t size = origin_.target.size() + origin_.host_header.size() + request.body.size() + 128;
  for (const auto& [name, value] : request.headers) {
    user_agent = user_agent || boost::beast::iequals(name, "User-Agent");
    accept = accept || boost::beast::iequals(name, "Accept");
    size += name.size() + value.size() + 4;
  }
  std::string message;
  message.reserve(size);
  message.append("POST ").append(origin_.target).append(" HTTP/1.1\r\nHost: ");
  message.append(origin_.host_header).append("\r\n");
  // The defaults libcurl sends; a configured header of the same name replaces each.
  if (!user_agent) message.append("User-Agent: basalt-webhooks\r\n");
  if (!accept) message.append("Accept: */*\r\n");
  for (const auto& [name, value] : request.headers) {
    message.append(name).append(": ").append(value).append("\r\n");
  }
  message.append("Content-Length: ").append(std::to_string(request.body.size())).append("\r\n\r\n");
  message.append(request.body);
  return message;
}

bool PlainHttpTransport::open(Clock::time_point deadline, WebhookResponse& response) {
  const Clock::time_point connect_deadline = std::min(deadline, Clock::now() + connect_timeout_);
  // Resolved with a bounded wait, and only the addresses the guard allows come back.
  auto resolved = brokers::resolve_allowed_host(
      origin_.host, std::max(milliseconds(1), left(connect_deadline)), allow_private_);
  if (const auto* refusal = std::get_if<brokers::HostRefusal>(&resolved)) {
    response.refused = refusal->refused;
    response.error = refusal->refused.empty() ? refusal->error : "refused";
    return false;
  }
  std::string error = "no address";
  for (const std::string& address : std::get<std::vector<std::string>>(resolved)) {
    const int fd = connect_within(address, origin_.port, connect_deadline, error);
    if (fd < 0) continue;
    // Blocking from here on: each send and recv waits at most the socket's timeouts.
    ::fcntl(fd, F_SETFL, 0);
    const int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    set_timeout(fd, SO_RCVTIMEO, total_timeout_);
    set_timeout(fd, SO_SNDTIMEO, total_timeout_);
    receive_timeout_ = send_timeout_ = total_timeout_;
    fd_ = fd;
    return true;
  }
  response.error = "could not connect to " + origin_.host_header + ": " + error;
  return false;
}

// Lowers the socket's timeout for `option` to the time left when that is shorter by more than
// kTimeoutSlack; false once no time is left. post() raises them again for the next post.
bool PlainHttpTransport::wait_at_most(int option, Clock::time_point deadline) {
  const milliseconds remaining = left(deadline);
  if (remaining.count() <= 0) return false;
  milliseconds& current = option == SO_RCVTIMEO ? receive_timeout_ : send_timeout_;
  if (remaining + kTimeoutSlack < current) {
    set_timeout(fd_, option, remaining);
    current = remaining;
  }
  return true;
}

PlainHttpTransport::Exchanged PlainHttpTransport::exchange(const std::string& message, bool reused,
                                                           Clock::time_point deadline,
                                                           WebhookResponse& response) {
  const auto fail = [&](std::string error) {
    close();
    response.error = std::move(error);
    return Exchanged::kDone;
  };
  for (std::size_t sent = 0; sent < message.size();) {
    if (!wait_at_most(SO_SNDTIMEO, deadline)) return fail("timed out sending the request");
    const ssize_t wrote = ::send(fd_, message.data() + sent, message.size() - sent, MSG_NOSIGNAL);
    if (wrote < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return fail("timed out sending the request");
      if (reused && sent == 0 && (errno == EPIPE || errno == ECONNRESET)) {
        close();
        return Exchanged::kStale;
      }
      return fail(system_error("send", errno));
    }
    sent += static_cast<std::size_t>(wrote);
  }

  std::optional<http::response_parser<http::string_body>> parser;
  const auto fresh_parser = [&parser] {
    parser.emplace();
    parser->eager(true);
    parser->header_limit(kMaxHeaderBytes);
    parser->body_limit(kMaxResponseBytes);
  };
  fresh_parser();
  boost::beast::flat_buffer buffer;
  int interim_answers = 0;
  bool received_any = false;
  const auto finish = [&] {
    auto& answer = parser->get();
    response.status = answer.result_int();
    const std::string& body = answer.body();
    response.excerpt.assign(body, 0, std::min(body.size(), kExcerptBytes));
    // Bytes after the answer were never asked for, and a switched protocol is not HTTP.
    if (!parser->keep_alive() || buffer.size() > 0 || response.status == 101) close();
    return Exchanged::kDone;
  };
  while (true) {
    if (buffer.size() > 0) {
      boost::system::error_code error;
      const std::size_t used = parser->put(buffer.data(), error);
      buffer.consume(used);
      if (error == http::error::body_limit) {
        response.body_cut = true;
        finish();
        close();  // the rest of the body is still on its way
        return Exchanged::kDone;
      }
      if (error && error != http::error::need_more) {
        return fail("malformed answer: " + error.message());
      }
      if (parser->is_done()) {
        const int status = parser->get().result_int();
        if (status >= 100 && status < 200 && status != 101) {
          if (++interim_answers > kMaxInterimAnswers) return fail("too many interim answers");
          fresh_parser();  // an interim answer: the final one follows
          continue;
        }
        return finish();
      }
      if (used > 0 && buffer.size() > 0) continue;
    }
    if (!wait_at_most(SO_RCVTIMEO, deadline)) return fail("timed out waiting for the answer");
    // What waits unparsed is a header, a chunk-size line or a trailer; the parser limits only
    // the first, so this bounds all three.
    if (buffer.size() >= kMaxUnparsedBytes) {
      return fail("malformed answer: a header, chunk line or trailer over 16 KiB");
    }
    const auto space = buffer.prepare(kReadChunk);
    const ssize_t got = ::recv(fd_, space.data(), space.size(), 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return fail("timed out waiting for the answer");
      if (reused && !received_any && errno == ECONNRESET) {
        close();
        return Exchanged::kStale;
      }
      return fail(system_error("recv", errno));
    }
    if (got == 0) {
      if (reused && !received_any) {
        close();
        return Exchanged::kStale;
      }
      boost::system::error_code error;
      if (parser->got_some()) parser->put_eof(error);
      if (!error && parser->is_done()) return finish();
      return fail("the connection closed before the answer ended");
    }
    received_any = true;
    buffer.commit(static_cast<std::size_t>(got));
  }
}

WebhookResponse PlainHttpTransport::post(const WebhookRequest& request) {
  WebhookResponse response;
  const Clock::time_point now = Clock::now();
  const Clock::time_point deadline = now + total_timeout_;
  const std::string message = serialize(request);
  if (fd_ >= 0 && now - last_answer_ > kQuietCheckAfter) {
    // Kept idle for a while: anything readable now is the receiver closing it (or an answer
    // nobody asked for, like a 408 before an idle close). A fresh connection, then.
    pollfd watched{fd_, POLLIN, 0};
    if (::poll(&watched, 1, 0) != 0) close();
  }
  if (fd_ >= 0 && (receive_timeout_ < total_timeout_ || send_timeout_ < total_timeout_)) {
    // A slow answer before lowered them: this post has its whole total_timeout again.
    set_timeout(fd_, SO_RCVTIMEO, total_timeout_);
    set_timeout(fd_, SO_SNDTIMEO, total_timeout_);
    receive_timeout_ = send_timeout_ = total_timeout_;
  }
  // At most twice: a kept connection found closed is replaced once.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = fd_ >= 0;
    if (!reused && !open(deadline, response)) return response;
    if (exchange(message, reused, deadline, response) == Exchanged::kDone) break;
  }
  last_answer_ = Clock::now();
  return response;
}

}  // namespace basalt::events
