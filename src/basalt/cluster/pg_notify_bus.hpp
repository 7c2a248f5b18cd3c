// PgNotifyBus: the cluster bus over PostgreSQL's LISTEN/NOTIFY (docs/scaling.md), for
// instances sharing one database.
//
// One thread of its own runs an io_context with one libpq session outside the pools: it
// LISTENs on the channel `basalt_cluster` (channels are per database, so deployments on other
// databases of the same server never hear each other) and sends what publish() queued as
// `SELECT pg_notify(...)`, several messages packed into one payload of at most 7,900 bytes
// (PostgreSQL's limit is 8,000; the envelope and packing are BusMessages', shared with the
// other buses). Connecting blocks only this thread (bounded by the connect
// timeout); after that the session is non-blocking and every wait is an async_wait on its
// socket.
//
// Invariants:
//  1. Every payload names the instance that sent it; an instance ignores its own (a session
//     hears its own NOTIFYs): BusMessages::dispatch.
//  2. A lost session is opened again with ReconnectBackoff (100 ms doubling to 2 s, jitter).
//     After it is back, the resync handlers run (messages may have been missed meanwhile); so
//     they do when the outbox overflowed (kMaxQueued messages waiting): it is emptied and a
//     payload asking every instance to resync is sent instead.
//  3. An idle session is checked with `SELECT 1` every 15 s, so a server that went away
//     without closing the socket is noticed.
//  4. executor() is the bus thread's: handlers run there, and what they start (a catalog
//     reload) may run there too; the database gives that io_context a pool of its own.
// Thread safety: publish() from any thread; subscribe()/on_resync() before start().
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "basalt/cluster/bus_messages.hpp"
#include "basalt/cluster/cluster_bus.hpp"
#include "basalt/db/postgres/pg_connection.hpp"

namespace basalt::cluster {

class PgNotifyBus final : public ClusterBus {
 public:
  static constexpr std::size_t kMaxQueued = BusMessages::kMaxQueued;

  explicit PgNotifyBus(std::shared_ptr<const db::postgres::ConnectionSettings> settings);
  ~PgNotifyBus() override;
  PgNotifyBus(const PgNotifyBus&) = delete;
  PgNotifyBus& operator=(const PgNotifyBus&) = delete;

  bool publish(std::string_view topic, std::string body) override;
  void subscribe(std::string topic, Handler handler) override;
  void on_resync(std::function<void()> handler) override;
  bool reaches_other_instances() const noexcept override { return true; }
  // Starts the thread and waits until the first LISTEN is in place (or its first attempt
  // failed: it is retried in the background).
  void start() override;
  void stop() override;

  boost::asio::any_io_executor executor() { return context_.get_executor(); }
  const std::string& instance_id() const noexcept { return messages_.instance_id(); }
  // Sessions opened so far (1 after start; more after reconnects), for tests and logs.
  unsigned sessions_opened() const noexcept { return sessions_.load(); }

 private:
  class Session;

  const std::shared_ptr<const db::postgres::ConnectionSettings> settings_;
  BusMessages messages_;
  boost::asio::io_context context_{1};
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<unsigned> sessions_{0};
  std::promise<void> first_attempt_;
  Session* session_ = nullptr;  // bus thread only: the open session, for wake-ups
};

}  // namespace basalt::cluster
