// Connection: one accepted socket, served by one coroutine on its worker's thread.
//
// Per request: parse the header (with parser::put over bytes already buffered before any
// socket read, so a pipelined batch is parsed without waiting), check the limits, read the
// body, dispatch, and append the response to the output buffer. The buffer is flushed with a
// single write only when no further request is buffered (or it grew past 64 KiB), so a
// pipelined batch costs one send. Responses leave in request order.
//
// Invariants:
//  1. Only the worker's thread touches a Connection; the sweeper and the drain call
//     on_tick()/on_drain(), which at most close the socket — the coroutine then sees the error
//     and unwinds, and the destructor unlinks from the worker.
//  2. deadline_ always bounds the current wait: idle (waiting for a new request), header
//     (first byte to end of headers), body, write (for a file body: each wait for the socket,
//     so a stalled reader is cut off and a slow one that keeps reading is not). While the handler
//     runs there is no deadline: handlers bound their own work. A stream (stream.hpp) has none
//     either: it bounds itself, and the drain closes it.
//  3. A protocol error (bad syntax, framing or Host refused by request_framing.hpp, 431, 413)
//     is answered, then the connection closes with a bounded lingering read so the client
//     sees the answer instead of a reset; nothing read after the error is parsed.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/intrusive/list_hook.hpp>
#include <chrono>
#include <string>

#include "basalt/http/response.hpp"

namespace basalt::core {
struct SpanCell;
}  // namespace basalt::core

namespace basalt::http {

class Worker;
struct RequestMessage;

class Connection : public boost::intrusive::list_base_hook<> {
 public:
  using Clock = std::chrono::steady_clock;

  // `over_limit`: accepted past max-connections; it is answered 503 and closed.
  // `span_cell`: with tracing on, the cell the connection's executor installs (it holds the
  // current request's span while the request runs); must outlive the connection. Null: off.
  Connection(boost::asio::ip::tcp::socket socket, Worker& worker, bool over_limit,
             core::SpanCell* span_cell = nullptr);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  boost::asio::awaitable<void> run();

  void on_tick(Clock::time_point now);  // closes the socket once the deadline passed
  void on_drain();  // closes at once when waiting for a new request, or streaming
  // In its stream (stream.hpp): listed in the worker's streams, not swept.
  bool streaming() const noexcept { return phase_ == Phase::kStreaming; }

 private:
  enum class Phase { kIdle, kHeader, kBody, kHandling, kWriting, kLingering, kStreaming };
  enum class ReadOutcome { kDone, kClosed, kProtocolError };

  // Requests until the connection ends, or until one answers with a stream: returned, to run
  // after this coroutine's frame is gone (run()). Empty otherwise.
  boost::asio::awaitable<StreamBody> serve_requests();
  boost::asio::awaitable<ReadOutcome> read_request(RequestMessage& message);
  // Reads the body after the header into `parser` (a Beast request parser of any body type).
  template <class Parser>
  boost::asio::awaitable<ReadOutcome> read_body(Parser& parser);
  boost::asio::awaitable<bool> read_some();
  boost::asio::awaitable<bool> flush();
  // `message`: empty for the status's default message.
  boost::asio::awaitable<void> answer_and_close(int status, std::string_view message);
  boost::asio::awaitable<void> linger_and_close();
  boost::asio::awaitable<void> run_stream(StreamBody& body);
  // Sends a file response's body after its header; false when it could not be sent whole.
  boost::asio::awaitable<bool> send_file(FileBody& body);
  void log_access(std::string_view method, std::string_view path, int status, std::size_t bytes,
                  Clock::time_point started, std::string_view request_id,
                  std::string_view trace_id = {}) const;
  void set_phase(Phase phase, std::chrono::milliseconds timeout);
  void close_socket() noexcept;

  boost::asio::ip::tcp::socket socket_;
  Worker& worker_;
  bool over_limit_;
  std::string remote_address_;
  boost::beast::flat_buffer in_;
  std::string out_;
  Response response_;
  core::SpanCell* span_cell_;
  Phase phase_ = Phase::kIdle;
  Clock::time_point deadline_ = Clock::time_point::max();
  int protocol_error_status_ = 0;            // set by read_request on kProtocolError
  std::string_view protocol_error_message_;  // static text, or empty for the default message
};

}  // namespace basalt::http
