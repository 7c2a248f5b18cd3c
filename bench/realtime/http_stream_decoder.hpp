// The HTTP/1.1 framing around an event stream: the response head (status line and headers, at
// most kMaxHeadBytes), then the body, either as sent until the connection closes (what Basalt
// and PocketBase do for GET /api/realtime) or chunked. It hands body bytes on as they arrive
// and keeps nothing between reads but the head while it is incomplete and a few integers, so
// ten thousand idle streams cost almost nothing here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rtbench {

class HttpStreamDecoder {
 public:
  static constexpr std::size_t kMaxHeadBytes = 8192;

  enum class Result : std::uint8_t { more, ended, bad_head, bad_status, bad_chunk };

  // Decodes `bytes`; every piece of body goes to `on_body(std::string_view)`, which returns
  // false to stop (then feed returns `more` and the caller is expected to give up).
  template <typename OnBody>
  Result feed(std::string_view bytes, OnBody&& on_body) {
    while (!bytes.empty()) {
      switch (state_) {
        case State::head: {
          Result r = take_head(bytes);
          if (r != Result::more) return r;
          break;
        }
        case State::until_close:
          on_body(bytes);
          return Result::more;
        case State::chunk_size: {
          Result r = take_chunk_size(bytes);
          if (r != Result::more) return r;
          break;
        }
        case State::chunk_data: {
          std::size_t n = bytes.size() < chunk_left_ ? bytes.size() : chunk_left_;
          chunk_left_ -= n;
          if (chunk_left_ == 0) state_ = State::chunk_end;
          if (!on_body(bytes.substr(0, n))) return Result::more;
          bytes.remove_prefix(n);
          break;
        }
        case State::chunk_end:  // the CRLF after a chunk's data
          if (bytes.front() == '\n') state_ = State::chunk_size;
          bytes.remove_prefix(1);
          break;
      }
    }
    return Result::more;
  }

  bool in_body() const { return state_ != State::head; }
  void reset();

 private:
  enum class State : std::uint8_t { head, until_close, chunk_size, chunk_data, chunk_end };

  Result take_head(std::string_view& bytes);
  Result take_chunk_size(std::string_view& bytes);

  std::string head_;
  std::uint64_t chunk_left_ = 0;
  State state_ = State::head;
  bool in_extension_ = false;
};

}  // namespace rtbench
