// One realtime client: a GET /api/realtime stream, its client id from PB_CONNECT, a
// subscription made through the thread's SubscriptionPool, then record messages counted and
// timed. Kept small on purpose (about 200 bytes plus the socket's reactor entry): it owns no
// read buffer — the thread's ReadinessSet reports the stream readable and it reads into its
// thread's shared buffer — and the request it sends is the thread's.
//
// Every member runs on the owning LoadThread's io_context.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include <cstdint>
#include <string>

#include "http_stream_decoder.hpp"
#include "sse_parser.hpp"

namespace rtbench {

class LoadThread;

class SseClient {
 public:
  using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp,
                                                  boost::asio::io_context::executor_type>;

  SseClient(LoadThread& host, std::uint32_t index);
  SseClient(const SseClient&) = delete;
  SseClient& operator=(const SseClient&) = delete;

  void open();
  // The subscription POST of stream `generation` answered 204 (or failed).
  void subscribed(std::uint32_t generation);
  void subscription_refused(std::uint32_t generation);

  // Each open() starts a new generation, so an answer for an earlier stream is told apart.
  std::uint32_t generation() const { return generation_; }
  bool awaiting_subscription() const { return state_ == State::subscribing; }
  const std::string& client_id() const { return parser_.last_id(); }
  std::uint32_t events() const { return events_; }
  bool ever_subscribed() const { return ever_subscribed_; }
  // Counted as complete by the thread when the event target was set (LoadThread).
  void mark_complete() { complete_ = true; }
  // The thread's ReadinessSet saw new bytes on the stream.
  void on_ready();
  void stop();

 private:
  enum class State : std::uint8_t { closed, connecting, awaiting_connect, subscribing, subscribed };
  enum class Ending : std::uint8_t { connect, status, framing, closed, refused };

  void on_connected(const boost::system::error_code& error);
  void on_request_written(const boost::system::error_code& error);
  bool take(std::string_view bytes, std::int64_t now_us);
  void end(Ending why);

  LoadThread& host_;
  Socket socket_;
  HttpStreamDecoder decoder_;
  SseParser parser_;
  std::uint32_t index_;
  std::uint32_t generation_ = 0;
  std::uint32_t events_ = 0;
  State state_ = State::closed;
  bool ever_subscribed_ = false;
  bool complete_ = false;  // reached the thread's event target (counted once)
};

}  // namespace rtbench
