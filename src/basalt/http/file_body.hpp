// FileBody: a response body of known length that is not held in memory - a range of an open
// file, sent with sendfile(2) straight from the page cache to the socket, or the chunks a
// reader coroutine produces one at a time (a remote object). The handler sets it with
// Response::file(); the connection writes the header (Content-Length = `length`), then the body,
// and keeps the connection for the next request when all of it left (docs/files.md,
// "Serving").
//
// Invariants (connection.cpp):
//  - the body runs on the connection's worker thread after the header is flushed; every wait
//    for the socket is bounded by the write timeout, counted afresh after each progress, so a
//    client that stops reading is cut off while a slow one that keeps reading is not;
//  - exactly `length` bytes follow the header, or the connection is closed (a file that
//    shrank, a reader that failed or came up short): a response is never cut and then reused;
//  - a HEAD request or a bodiless status sends none of it; the descriptor is closed when the
//    Response is reset or destroyed.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>

namespace basalt::http {

// Owns one file descriptor (closed on destruction); movable, not copyable.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(std::exchange(other.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  void reset(int fd = -1) noexcept;

 private:
  int fd_ = -1;
};

// The next chunk of a remote body: bytes [offset, offset + max) of the object (at least one
// byte while any is left). Throws on failure; runs on the connection's thread and must hand
// blocking work to a pool itself.
using ChunkReader =
    std::function<boost::asio::awaitable<std::string>(std::uint64_t offset, std::size_t max)>;

struct FileBody {
  std::uint64_t offset = 0;  // first byte of the object to send
  std::uint64_t length = 0;  // bytes to send: the response's Content-Length
  UniqueFd file;             // set: sendfile from this descriptor
  ChunkReader read;          // otherwise: chunks from this reader
};

}  // namespace basalt::http
