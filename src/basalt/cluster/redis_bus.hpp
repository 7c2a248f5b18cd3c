// RedisBus: the cluster bus over Redis pub/sub (docs/scaling.md, "Buses"), for instances that
// share one PostgreSQL database and a Redis server. The data stays in PostgreSQL; Redis only
// carries the messages (BusMessages' envelopes, at most 7,900 bytes each).
//
// Two threads of its own:
//  - the transport thread holds two hiredis connections: one SUBSCRIBEd to the channel
//    (only ever read after poll() says so), one for PUBLISH (blocking calls, bounded by a
//    10 s socket timeout). It waits in poll() on the subscriber's socket and an eventfd that
//    publish() signals; it never runs a handler;
//  - the bus thread runs executor()'s io_context: every received payload is posted there and
//    dispatched, the resync handlers run there, and what they start (a catalog reload on the
//    database's pool for this io_context) too — as on PgNotifyBus.
//
// Invariants:
//  1. A lost connection (an error, or no answer to the PING sent every 15 s for 30 s) closes
//     both; they are opened again after ReconnectBackoff's delay (100 ms doubling to 2 s,
//     jitter), and once the server confirmed the new SUBSCRIBE the resync handlers run
//     (messages may have been missed meanwhile). An error reply to SUBSCRIBE (NOAUTH, an ACL)
//     counts as a lost connection, never as a live session.
//  2. Messages published while disconnected wait in the outbox (BusMessages, bounded; an
//     overflow turns into a resync of every instance) and go out once connected again.
//  3. Nothing of a payload is logged: errors name the server's error text and sizes only.
// Thread safety: publish() from any thread; subscribe()/on_resync() before start().
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <future>
#include <string>
#include <thread>

#include "basalt/cluster/bus_messages.hpp"
#include "basalt/cluster/bus_url.hpp"
#include "basalt/cluster/cluster_bus.hpp"

namespace basalt::cluster {

class RedisBus final : public ClusterBus {
 public:
  explicit RedisBus(BusEndpoint endpoint);
  ~RedisBus() override;
  RedisBus(const RedisBus&) = delete;
  RedisBus& operator=(const RedisBus&) = delete;

  bool publish(std::string_view topic, std::string body) override;
  void subscribe(std::string topic, Handler handler) override;
  void on_resync(std::function<void()> handler) override;
  bool reaches_other_instances() const noexcept override { return true; }
  // Starts both threads and waits until the first SUBSCRIBE is in place (or its first
  // attempt failed: it is retried in the background).
  void start() override;
  void stop() override;

  boost::asio::any_io_executor executor() { return context_.get_executor(); }
  const std::string& instance_id() const noexcept { return messages_.instance_id(); }
  // Connections opened so far (1 after start; more after reconnects), for tests and logs.
  unsigned sessions_opened() const noexcept { return sessions_.load(); }

 private:
  class Connection;

  void transport();
  // One connected session, until it fails (throws) or the bus stops (returns).
  void serve(Connection& subscriber, Connection& publisher);
  // Sleeps `delay` unless the bus stops first.
  void pause(std::chrono::milliseconds delay);
  void signal_wake();
  // start() returns once the first session subscribed or its first attempt failed.
  void announce_first_attempt();

  const BusEndpoint endpoint_;
  BusMessages messages_;
  boost::asio::io_context context_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      context_.get_executor()};
  std::thread bus_thread_;
  std::thread transport_thread_;
  int wake_fd_ = -1;  // eventfd: publish() and stop() wake the transport thread
  std::atomic<bool> stopping_{false};
  std::atomic<unsigned> sessions_{0};
  std::promise<void> first_attempt_;
  bool first_attempt_announced_ = false;  // transport thread only
};

}  // namespace basalt::cluster
