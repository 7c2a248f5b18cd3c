// Dispatcher: delivers the outbox to the destinations (docs/events.md, "Delivery"), on threads
// of its own — never the writer, never a worker.
//
// A pass (the dispatcher's thread): read the destinations; for each enabled one, take or renew
// its lease (a row of `_destinationStates`: owner, expiry), so that with several instances on
// one database exactly one delivers to it at a time; then hand it to the delivery pool unless a
// delivery of it is still running (at most one task per destination: its order holds). A task
// (a pool thread): the destination's queued redeliveries, then the outbox rows after its
// cursor in sequence order. The pool has `concurrency` threads, so a destination that hangs
// (up to its timeouts per attempt) holds one of them and delays no other destination. Rows it does
// not want (collection, action, filter) move the cursor silently; the wanted ones are handed
// to Destination::deliver_many(), up to its max_in_flight() at a time (a broker's pipeline),
// and every attempt is logged in `_deliveries`; the results are taken in order up to the first
// retry, and an event past it or without a result is offered again. Delivered or rejected:
// the cursor moves on. Retry: attempts + 1 and the next
// attempt after an exponential backoff with jitter; the destination waits (later events hold
// behind it: order per destination); at maxAttempts the event is dead-lettered and the cursor
// moves on. Progress (the cursor and the attempts' log rows) is kept in memory and saved in one
// small write job per 32 attempts, before any wait, once `save_delay` has passed since the
// first unsaved attempt (so events arriving one by one share a job instead of one each), when
// a destination is rebuilt or dropped, and at stop(); every save is fenced by the lease owner
// (a pass that lost its lease changes nothing). A crash before a save sends those events again
// (at least once; order holds, since the next owner starts from the saved cursor). The lease
// is renewed once half of it has passed.
//
// Wake-ups: wake() (a local commit of a wanted event, a destination changed) or the poll
// interval, so other instances' commits are seen. Retention (pruning delivered events and old
// log rows) and the metrics gauges run at most once a minute / once a pass.
//
// Thread ownership: the dispatcher's thread owns the destinations map and the leases; a Live
// destination (its Destination object) is used by one task at a time (its `busy` flag), each
// task on a private io_context of its pool thread; wake() and stop() may be called from any
// thread. run_pass() (tests) serves every destination on the calling thread instead.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "basalt/core/clock.hpp"
#include "basalt/core/trace_sampler.hpp"
#include "basalt/db/database.hpp"
#include "basalt/events/destination.hpp"
#include "basalt/events/destination_service.hpp"
#include "basalt/events/destination_spec.hpp"
#include "basalt/records/record_service.hpp"

namespace basalt::core {
class ThreadRunner;  // core/thread_runner.hpp
}  // namespace basalt::core

namespace basalt::events {

struct DispatcherOptions {
  std::chrono::milliseconds poll_interval{1000};
  std::chrono::milliseconds lease_duration{15000};
  std::chrono::milliseconds retry_base{1000};             // first retry after ~this
  std::chrono::milliseconds retry_max{5 * 60 * 1000};     // backoff cap
  std::chrono::milliseconds retention{72 * 3600 * 1000};  // delivered events and log rows
  std::size_t batch = 100;                                // outbox rows read per step
  std::size_t concurrency = 8;  // destinations delivered to at once (the pool's threads)
  // Longest a delivered event's progress (cursor, log row) stays unsaved when fewer than 32
  // attempts are pending: what a crash may send again, and how late the log shows an attempt.
  std::chrono::milliseconds save_delay{200};
  // Shortest time from the start of one commit-driven pass to the start of the next: a pass
  // (a version read, the leases, a task per destination) per commit would cost more than the
  // commits at thousands per second; wake-ups in between are served together by the next
  // pass. A pass after a quiet spell starts at once, so a trickle of commits adds no lag.
  std::chrono::milliseconds min_pass_interval{5};
  // Niceness of the dispatcher's thread and the delivery pool (Linux: per thread). Above 0,
  // when the CPU is saturated requests win it and deliveries lag; when it is not, nothing
  // changes. 0 keeps the process's own.
  int thread_nice = 0;
  DestinationOptions destinations;
  std::string owner;  // this instance's lease owner id; generated when empty
  // Delivery spans (delivery_trace.hpp): off by default.
  core::Tracing tracing;
  // Replaces make_destination (tests: a fake destination).
  std::function<std::unique_ptr<Destination>(const DestinationSpec&)> factory;
};

// What one pass did (tests, logs).
struct PassReport {
  std::size_t delivered = 0;
  std::size_t failed = 0;  // retry, rejected or dead attempts
  std::size_t skipped = 0;
  std::size_t pruned = 0;
  // A task found the destinations changed since its spec was read (it delivered nothing of
  // what it read): the dispatcher re-reads them before serving that destination again.
  bool stale = false;
};

class Dispatcher {
 public:
  Dispatcher(db::Database& database, collections::CollectionService& collections,
             records::RecordService& records, DestinationService& destinations,
             const core::Clock& clock, DispatcherOptions options);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Starts the thread. Without start(), run_pass() may be called directly (tests).
  void start();
  // Releases the leases it holds and ends the thread. Idempotent.
  void stop();
  // Asks for a pass now (any thread, cheap).
  void wake();
  // The same, and that pass serves the destinations waiting out a retry too (a redelivery or a
  // change of the destinations was asked here). Otherwise a pass serves a destination whose
  // retry is not due at most once per kBackoffRecheckMs: each serve reads its state and its
  // redeliveries, and a commit-driven pass comes at every local commit.
  void recheck();
  static constexpr std::int64_t kBackoffRecheckMs = 1000;

  // One pass on the calling thread (never a worker nor the writer).
  PassReport run_pass();
  // Pruning now (tests).
  std::size_t prune();

  const std::string& owner() const noexcept { return options_.owner; }

 private:
  struct Live;  // a destination's object, rebuilt when its spec changes
  // The SQL of a delivery step, built once (the dialect's quoting and placeholders).
  struct Statements {
    explicit Statements(const db::Dialect& dialect);
    std::string log, state, redeliveries, drop_redelivery, state_read, version;
    std::string rows;  // followed by the batch size
  };
  void run();
  void run_pool();
  void submit(DestinationSpec spec, std::shared_ptr<Live> live);
  // `inline_serve`: serve each destination here (run_pass) instead of in the pool.
  boost::asio::awaitable<void> pass(PassReport& report, bool inline_serve);
  // `_destinationsVersion` as committed now (0: no row); the pass's and the tasks' read.
  boost::asio::awaitable<std::int64_t> destinations_version();
  boost::asio::awaitable<bool> take_lease(const std::string& id, std::int64_t now_ms);
  boost::asio::awaitable<void> release_leases();
  // `save_now`: leave no progress unsaved (run_pass).
  boost::asio::awaitable<void> serve(const DestinationSpec& spec, Live& live, PassReport& report,
                                     bool save_now = false);
  // Writes `live`'s unsaved log rows and the state given, in one fenced write job, and forgets
  // them; false when another instance owns the destination now.
  boost::asio::awaitable<bool> save_progress(const std::string& destination_id, Live& live,
                                             std::int64_t cursor, int attempts,
                                             std::int64_t next_attempt);
  boost::asio::awaitable<void> save_unsaved(const std::string& destination_id, Live& live);
  boost::asio::awaitable<void> save_all_unsaved();  // once the pool's threads are joined
  db::Params log_params(const std::string& destination_id, const OutboxEvent& event,
                        std::string_view status, const DeliveryResult& result, int attempt) const;
  boost::asio::awaitable<bool> wanted(const DestinationSpec& spec, const OutboxEvent& event);
  boost::asio::awaitable<std::size_t> prune_now();
  boost::asio::awaitable<void> measure();
  std::int64_t now_ms() const;
  std::chrono::milliseconds backoff(int attempt);

  db::Database& database_;
  collections::CollectionService& collections_;
  records::RecordService& records_;
  DestinationService& destinations_;
  const core::Clock& clock_;
  DispatcherOptions options_;
  const Statements statements_;
  // The destinations as of `_destinationsVersion` loaded_version_ (0: never read); the thread's.
  std::int64_t loaded_version_ = 0;
  std::int64_t version_read_ms_ = 0;  // when a pass last read the version (the thread's)
  std::vector<DestinationSpec> loaded_;
  std::map<std::string, std::shared_ptr<Live>> live_;  // by destination id; the thread's
  std::map<std::string, std::int64_t> lease_until_;    // leases held, by destination id (ms)
  std::int64_t next_due_ms_ = 0;  // the earliest retry or save among owned ones (0: none)
  std::int64_t last_prune_ms_ = 0;
  std::int64_t last_measure_ms_ = 0;

  std::mutex mutex_;
  std::condition_variable wakeup_;
  bool woken_ = false;
  bool idle_ = false;     // guarded by mutex_: the thread waits for a wake-up (wake() notifies)
  bool recheck_ = false;  // guarded by mutex_; taken by the next pass
  // wake()'s lock-free test: set by the first wake() after a pass began, cleared (with
  // woken_) just before the next one begins.
  std::atomic<bool> wake_pending_{false};
  bool stopping_ = false;
  std::thread thread_;

  // The delivery pool: tasks of destinations, each destination at most once at a time.
  std::mutex pool_mutex_;
  std::condition_variable pool_wakeup_;
  std::deque<std::function<void(core::ThreadRunner&)>> tasks_;  // run on a delivery thread's runner
  bool pool_stopping_ = false;
  std::vector<std::thread> pool_;
};

}  // namespace basalt::events
