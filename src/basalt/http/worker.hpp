// Worker: one thread's share of the server — its io_context, its listener, the connections it
// accepted, the sweeper that enforces their deadlines, and its access-log buffer.
//
// Invariants:
//  1. Everything here but the thread handle is touched only by the worker's own thread once
//     start() ran; the controlling thread reaches it by posting to the io_context.
//  2. Deadlines are enforced by one periodic sweep over the connection list (every
//     kSweepInterval), not by a timer per connection: a request then costs a clock read, not a
//     timer arm and cancel. A timeout fires up to one interval late. Streaming connections
//     have no deadline (stream.hpp): they move to `streams_`, which the sweep does not walk
//     (thousands of idle streams would otherwise cost every tick), only the drain.
//  3. `connections` is declared before `context`: destroying the context destroys suspended
//     connection coroutines, which unlink themselves from the still-alive list.
//  4. Access-log lines of this worker's requests are appended to its own buffer, without a
//     lock (access_log.hpp). The buffer goes to the writer when full, on every sweep tick and
//     once more when the thread's run() returns — before the thread counts itself exited.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/intrusive/list.hpp>
#include <chrono>
#include <thread>

#include "basalt/http/access_log.hpp"
#include "basalt/http/connection.hpp"

namespace basalt::http {

struct ServerShared;

inline constexpr std::chrono::milliseconds kSweepInterval{100};

class Worker {
 public:
  Worker(ServerShared& shared, const boost::asio::ip::tcp::endpoint& endpoint, bool reuse_port);
  ~Worker();

  boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }
  ServerShared& shared() noexcept { return shared_; }
  AccessBuffer& access_log() noexcept { return access_log_; }
  bool draining() const noexcept { return draining_; }

  void start();        // spawns the accept loop and sweeper, then the thread
  void begin_drain();  // posts the drain to the worker's thread
  void stop() { context_.stop(); }
  void join();

  // Called by connections on the worker's thread.
  void attach(Connection& connection);
  void detach(Connection& connection);
  void begin_stream(Connection& connection);  // moves it out of the sweep's list

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> sweep_loop();
  void drain();

  ServerShared& shared_;
  AccessBuffer access_log_;
  boost::intrusive::list<Connection, boost::intrusive::constant_time_size<false>> connections_;
  boost::intrusive::list<Connection, boost::intrusive::constant_time_size<false>> streams_;
  boost::asio::io_context context_{1};
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer sweeper_;
  bool draining_ = false;
  bool destroying_ = false;  // set in ~Worker: the timer may already be gone
  std::thread thread_;
};

}  // namespace basalt::http
