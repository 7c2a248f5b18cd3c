// WsGatedSocket: the next layer of a GraphQL WebSocket's Beast stream — the connection's socket
// with one gate on its writes — and the frames the session writes itself (docs/graphql.md,
// "Subscriptions").
//
// Why: a shared run's `next` goes to every socket of a worker as the very same bytes. Framed
// once (ws_text_frame()), each socket's send is one non-blocking send(2) of that frame, done in
// the delivery pass itself: no coroutine wake-up, no Beast write operation, no completion
// handler per subscriber. Beast still reads, answers pings, sends keep-alive pings and close
// frames; those are its own writes, and a frame of the session must never be cut by one of
// them (nor one of them by a frame of the session).
//
// Invariants (worker thread only; the socket belongs to the worker that accepted it):
//   1. At most one writer is "in a frame" at a time: Beast (`beast_busy`: a write of its own in
//      flight, or one that wrote part of its frame) or the session (`raw_busy`: its writer
//      coroutine's write in flight, or a send(2) that took part of a frame).
//   2. Beast's writes wait (asynchronously) while `raw_busy`; the session's writer waits while
//      `beast_busy`; try_send() sends only when neither is set.
//   3. Every frame Beast writes is a control frame or the handshake: small enough that one
//      write_some call either takes it whole or leaves it "partly written" (the next call
//      continues it). The session never hands data frames to Beast.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace basalt::api {

// A complete unmasked text frame (server to client, RFC 6455 section 5.2) carrying `payload`.
std::string ws_text_frame(std::string_view payload);

// Made with std::make_shared: a Beast write waiting at the gate holds the gate (Beast's idle ping
// is not tied to any operation of the session, so it may outlive the session's frame).
class WsGatedSocket : public std::enable_shared_from_this<WsGatedSocket> {
 public:
  using socket_type = boost::asio::ip::tcp::socket;
  using executor_type = socket_type::executor_type;

  explicit WsGatedSocket(socket_type& socket)
      : socket_(socket), beast_gate_(socket.get_executor()), raw_gate_(socket.get_executor()) {}
  WsGatedSocket(const WsGatedSocket&) = delete;
  WsGatedSocket& operator=(const WsGatedSocket&) = delete;

  executor_type get_executor() noexcept { return socket_.get_executor(); }
  socket_type& socket() noexcept { return socket_; }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return socket_.async_read_some(buffers, std::forward<Token>(token));
  }

  // Beast's writes: after the session's frame in progress, if any (invariant 2).
  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_compose<Token, void(boost::system::error_code, std::size_t)>(
        BeastWrite<ConstBuffers>{shared_from_this(), buffers}, token, socket_);
  }

  // The session's send in the delivery pass: the bytes the kernel took now (a whole frame, a
  // part of it, or 0 when the socket buffer is full), or -1 when the socket failed. 0 without
  // trying while another write is in a frame. A partial send leaves `raw_busy` set: the
  // writer coroutine must finish the frame and then call end_raw().
  std::ptrdiff_t try_send(std::string_view bytes);

  // The session's writer: whether it may start now (nothing of Beast's in a frame); if so, it
  // sets `raw_busy` until end_raw().
  bool begin_raw() noexcept;
  void end_raw();
  bool raw_busy() const noexcept { return raw_busy_; }
  // The writer waits here while Beast is in a frame; woken when Beast's frame is done.
  boost::asio::steady_timer& raw_gate() noexcept { return raw_gate_; }

  void close() noexcept {
    boost::system::error_code ec;
    socket_.close(ec);
  }

  // Beast's customisation points (found by argument-dependent lookup).
  friend void beast_close_socket(WsGatedSocket& gated) { gated.close(); }
  friend void teardown(boost::beast::role_type role, WsGatedSocket& gated,
                       boost::system::error_code& ec) {
    boost::beast::websocket::teardown(role, gated.socket_, ec);
  }
  template <class Handler>
  friend void async_teardown(boost::beast::role_type role, WsGatedSocket& gated,
                             Handler&& handler) {
    boost::beast::websocket::async_teardown(role, gated.socket_, std::forward<Handler>(handler));
  }

 private:
  template <class ConstBuffers>
  struct BeastWrite {
    std::shared_ptr<WsGatedSocket> gated;
    ConstBuffers buffers;
    bool writing = false;

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec = {}, std::size_t written = 0) {
      if (!writing) {
        if (gated->raw_busy_) {
          // Woken (cancelled) when the session's frame is done; checks again.
          gated->beast_gate_.expires_at(boost::asio::steady_timer::time_point::max());
          gated->beast_gate_.async_wait(std::move(self));
          return;
        }
        writing = true;
        gated->beast_busy_ = true;
        gated->socket_.async_write_some(buffers, std::move(self));
        return;
      }
      // A write that took its buffers whole ends Beast's frame (invariant 3).
      gated->beast_busy_ = !ec && written < boost::asio::buffer_size(buffers);
      if (!gated->beast_busy_) gated->raw_gate_.cancel();
      self.complete(ec, written);
    }
  };

  socket_type& socket_;
  boost::asio::steady_timer beast_gate_;  // Beast's write waits on it (one at a time)
  boost::asio::steady_timer raw_gate_;    // the session's writer waits on it
  bool beast_busy_ = false;
  bool raw_busy_ = false;
};

}  // namespace basalt::api
