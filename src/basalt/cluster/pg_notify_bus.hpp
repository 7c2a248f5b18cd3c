// PgNotifyBus: the cluster bus over PostgreSQL's LISTEN/NOTIFY (docs/scaling.md), for
// instances sharing one database.
//
// One thread of its own runs an io_context with one libpq session outside the pools: it
// LISTENs on the channel `basalt_cluster` (channels are per database, so deployments on other
// databases of the same server never hear each other) and sends what publish() queued as
// `SELECT pg_notify(...)`, several messages packed into one payload of at most 7,900 bytes
// (PostgreSQL's limit is 8,000). Connecting blocks only this thread (bounded by the connect
// timeout); after that the session is non-blocking and every wait is an async_wait on its
// socket.
//
// Invariants:
//  1. Every payload names the instance that sent it; an instance ignores its own (a session
//     hears its own NOTIFYs).
//  2. A lost session is opened again with a doubling backoff (100 ms to 2 s, with jitter).
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
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "basalt/cluster/cluster_bus.hpp"
#include "basalt/db/postgres/pg_connection.hpp"

namespace basalt::cluster {

class PgNotifyBus final : public ClusterBus {
 public:
  static constexpr std::size_t kMaxQueued = 10'000;

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
  const std::string& instance_id() const noexcept { return instance_; }
  // Sessions opened so far (1 after start; more after reconnects), for tests and logs.
  unsigned sessions_opened() const noexcept { return sessions_.load(); }

 private:
  class Session;

  void run();
  void dispatch(std::string_view payload);
  void resync();
  // Takes the queued messages as payloads of at most the NOTIFY limit (invariant 2 for an
  // overflow). Under no lock on return.
  std::vector<std::string> take_payloads();

  const std::shared_ptr<const db::postgres::ConnectionSettings> settings_;
  const std::string instance_;
  boost::asio::io_context context_{1};
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<unsigned> sessions_{0};
  std::promise<void> first_attempt_;

  std::unordered_map<std::string, Handler> handlers_;   // set before start(), then only read
  std::vector<std::function<void()>> resync_handlers_;  // likewise

  std::mutex outbox_mutex_;         // guards outbox_, overflowed_ and wake_posted_
  std::deque<std::string> outbox_;  // messages, `{"t":..,"b":..}`, oldest first
  bool overflowed_ = false;
  bool wake_posted_ = false;
  Session* session_ = nullptr;  // bus thread only: the open session, for wake-ups
};

}  // namespace basalt::cluster
