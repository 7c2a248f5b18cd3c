// Response: what a handler fills in. One Response lives per connection and is cleared (not
// freed) between requests, so steady-state requests allocate nothing for it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "basalt/http/file_body.hpp"
#include "basalt/http/stream.hpp"

namespace basalt::http {

inline constexpr std::string_view kJsonContentType = "application/json";

class Response {
 public:
  int status() const noexcept { return status_; }
  const std::string& body() const noexcept { return body_; }
  std::string& mutable_body() noexcept { return body_; }
  std::string_view content_type() const noexcept { return content_type_; }
  const std::vector<std::pair<std::string, std::string>>& headers() const noexcept {
    return headers_;
  }
  // True when the connection must close after this response.
  bool close() const noexcept { return close_; }
  // True when the body is a list envelope ({"items":[...],"page":...}) set by json_list():
  // `?fields=` then projects each element of `items` and keeps the envelope's own keys.
  bool list_envelope() const noexcept { return list_envelope_; }

  // True when the response is a stream (stream.hpp): headers now, then the body until it ends.
  bool streaming() const noexcept { return static_cast<bool>(stream_); }
  // True when the stream answers the request itself (a protocol upgrade: the body writes the
  // 101 and everything after it), so the connection writes no header.
  bool upgrading() const noexcept { return upgrade_; }
  StreamBody take_stream() noexcept { return std::move(stream_); }

  // The body of a file response (file_body.hpp), or null.
  FileBody* file_body() noexcept { return file_.get(); }
  const FileBody* file_body() const noexcept { return file_.get(); }

  void set_status(int status) noexcept { status_ = status; }
  void set_close() noexcept { close_ = true; }

  // Replaces status, content type and body with a JSON document.
  void json(int status, std::string_view body) {
    status_ = status;
    content_type_.assign(kJsonContentType);
    body_.assign(body);
    list_envelope_ = false;
  }
  // As json(), for a list envelope with the records under its top-level `items` key.
  void json_list(int status, std::string_view body) {
    json(status, body);
    list_envelope_ = true;
  }
  // Replaces status, content type and body; an empty content type sends none.
  void content(int status, std::string_view content_type, std::string_view body) {
    status_ = status;
    content_type_.assign(content_type);
    body_.assign(body);
    list_envelope_ = false;
  }

  // Makes this response a stream: `status` and `content_type` now, then `body` gets the socket.
  void stream(int status, std::string_view content_type, StreamBody body) {
    content(status, content_type, {});
    stream_ = std::move(body);
  }

  // Makes this response a protocol upgrade (WebSocket): the connection writes nothing of its
  // own and hands the socket to `body`, which answers the handshake (101 or a refusal).
  void upgrade(StreamBody body) {
    content(101, {}, {});
    stream_ = std::move(body);
    upgrade_ = true;
  }

  // Makes this response a file: `status` and `content_type` now, Content-Length from the
  // body's length, then the body itself after the header (file_body.hpp).
  void file(int status, std::string_view content_type, FileBody body) {
    content(status, content_type, {});
    file_ = std::make_unique<FileBody>(std::move(body));
  }

  // Adds a header line; the writer sends Date, Content-Length and Content-Type itself.
  void add_header(std::string_view name, std::string_view value) {
    headers_.emplace_back(name, value);
  }
  // The value of a header added with add_header (exact name), or empty.
  std::string_view header(std::string_view name) const noexcept {
    for (const auto& [key, value] : headers_) {
      if (key == name) return value;
    }
    return {};
  }

  // Back to "200, no body, no headers", keeping the buffers' capacity.
  void reset() noexcept {
    status_ = 200;
    close_ = false;
    list_envelope_ = false;
    upgrade_ = false;
    content_type_.clear();
    body_.clear();
    headers_.clear();
    stream_ = nullptr;
    file_.reset();
  }

 private:
  int status_ = 200;
  bool close_ = false;
  bool list_envelope_ = false;
  bool upgrade_ = false;
  std::string content_type_;
  std::string body_;
  std::vector<std::pair<std::string, std::string>> headers_;
  StreamBody stream_;
  std::unique_ptr<FileBody> file_;  // rare: a pointer keeps the common Response small
};

}  // namespace basalt::http
