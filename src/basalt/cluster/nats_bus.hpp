// NatsBus: the cluster bus over NATS core pub/sub (docs/scaling.md, "Buses"), for instances
// that share one PostgreSQL database and a NATS server (or cluster). The data stays in
// PostgreSQL; NATS only carries the messages (BusMessages' envelopes, at most 7,900 bytes).
//
// libnats runs the connection on threads of its own (reading, flushing, reconnecting); its
// callbacks only post to the bus thread, which runs executor()'s io_context: payloads are
// dispatched there, the resync handlers run there, and what they start (a catalog reload on
// the database's pool for this io_context) too — as on PgNotifyBus. publish() queues in the
// outbox and posts one drain to the bus thread, which hands the payloads to libnats
// (natsConnection_Publish buffers them; it never waits for the server).
//
// Invariants:
//  1. The connection never gives up: a failed first connect and a lost connection are retried
//     with ReconnectBackoff's delays (100 ms doubling to 2 s, jitter) through libnats'
//     custom reconnect delay; after each reconnect the resync handlers run.
//  2. A server that stops answering is noticed by libnats' PINGs: every 15 s, 2 unanswered.
//  3. No echo: the server does not send this connection's own messages back (and
//     BusMessages::dispatch would ignore them anyway).
//  4. Nothing of a payload is logged.
// Thread safety: publish() from any thread; subscribe()/on_resync() before start().
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "basalt/cluster/bus_messages.hpp"
#include "basalt/cluster/bus_url.hpp"
#include "basalt/cluster/cluster_bus.hpp"

struct __natsConnection;
struct __natsSubscription;
struct __natsOptions;

namespace basalt::cluster {

class NatsBus final : public ClusterBus {
 public:
  explicit NatsBus(BusEndpoint endpoint);
  ~NatsBus() override;
  NatsBus(const NatsBus&) = delete;
  NatsBus& operator=(const NatsBus&) = delete;

  bool publish(std::string_view topic, std::string body) override;
  void subscribe(std::string topic, Handler handler) override;
  void on_resync(std::function<void()> handler) override;
  bool reaches_other_instances() const noexcept override { return true; }
  // Starts the bus thread and the connection; waits up to the connect timeout for the first
  // connection (retried in the background after that).
  void start() override;
  void stop() override;

  boost::asio::any_io_executor executor() { return context_.get_executor(); }
  const std::string& instance_id() const noexcept { return messages_.instance_id(); }
  // Connections made so far (1 after start; more after reconnects), for tests and logs.
  unsigned sessions_opened() const noexcept { return sessions_.load(); }

  // libnats' callbacks (C functions forward here); any libnats thread.
  void on_connected(bool again);
  void on_disconnected();
  void on_payload(std::string payload);
  std::int64_t reconnect_delay_ms(int attempts);

  // What libnats' callbacks are given instead of `this`: libnats may still call back from its
  // own threads after natsConnection_Destroy returns (a disconnected or message callback
  // already queued), so the closure outlives the bus (kept for the process) and stop() cuts
  // it off under its mutex. Defined in nats_bus.cpp.
  struct CallbackGate;

 private:
  void drain();  // bus thread

  const BusEndpoint endpoint_;
  BusMessages messages_;
  ReconnectBackoff backoff_;  // libnats' reconnect thread only
  boost::asio::io_context context_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      context_.get_executor()};
  std::thread bus_thread_;
  __natsOptions* options_ = nullptr;
  __natsConnection* connection_ = nullptr;
  __natsSubscription* subscription_ = nullptr;
  std::atomic<bool> stopping_{false};
  std::atomic<unsigned> sessions_{0};
  std::mutex connected_mutex_;  // guards the first connection's wait in start()
  std::condition_variable connected_;
  CallbackGate* gate_ = nullptr;
};

}  // namespace basalt::cluster
