// JobRunner: runs the durable queue's jobs (docs/jobs.md, "Runner") on threads of its own.
//
//   runner.handle("mail.send", [](const ClaimedJob& job) { ...; });  // before start()
//   runner.start();
//   runner.enqueue_blocking({.kind = "mail.send", .payload = json});  // or co_await enqueue()
//
// Threads (all its own; none is a worker or the database's writer):
//  - the dispatcher (1): its own io_context for the database calls; each cycle is ONE write
//    job (JobStore::cycle: the finished jobs' outcomes, the lease renewals of jobs still
//    running, a claim of as many jobs as runner threads are free), taken only when there is
//    something to write: a read (JobStore::due) decides whether a claim would find work, so an
//    idle runner does not write. It wakes on enqueue() from this process, when a runner thread
//    finishes, when half a lease has passed, at the earliest queued job's runAt, and at least
//    every `poll` (jobs enqueued by other instances). Every `maintenance` it prunes old rows
//    and refreshes the job gauges (metrics).
//  - runner threads (`threads`): each takes one claimed job and calls its kind's handler. A
//    handler that returns succeeded; one that throws PermanentJobError failed for good; any
//    other exception is retried with backoff while attempts are left. An unknown kind fails
//    permanently ("no handler for job kind ...").
// Invariants:
//  1. Handlers are registered before start() and never change afterwards (read without a
//     lock by the runner threads).
//  2. A job's lease is renewed while its handler runs, so a long job (a backup) is never
//     claimed twice by a live runner; a runner that dies stops renewing and its jobs become
//     claimable when the lease ends (crash safety).
//  3. stop() waits for the handlers in progress (a handler bounds its own run: the backup
//     service is stopped first), writes their outcomes, and puts claimed jobs that had not
//     started back to queued. No handler runs after stop() returns.
// Thread safety: enqueue(), enqueue_blocking(), wake() and stop() from any thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "basalt/jobs/job_store.hpp"

namespace basalt::jobs {

// Thrown by a handler for a failure that no retry can mend (a malformed payload, a refused
// address): the job is failed at once.
class PermanentJobError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using JobHandler = std::function<void(const ClaimedJob&)>;

struct RunnerOptions {
  unsigned threads = 2;
  std::chrono::milliseconds lease{std::chrono::minutes(5)};
  std::chrono::milliseconds poll{std::chrono::seconds(2)};
  std::chrono::milliseconds maintenance{std::chrono::minutes(5)};
  std::chrono::milliseconds keep_done{std::chrono::hours(24)};
  std::chrono::milliseconds keep_failed{std::chrono::hours(24 * 7)};
  RetryPolicy retry{};
  std::string owner;  // the lease owner's name; a random one when empty
  // Called on the runner thread after each job's outcome is known (tests; metrics).
  std::function<void(const ClaimedJob&, const JobOutcome&)> after_job;
};

class JobRunner {
 public:
  JobRunner(db::Database& database, const core::Clock& clock, RunnerOptions options = {});
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  // Invariant 1: before start(). Replaces an earlier handler of the same kind.
  void handle(std::string kind, JobHandler handler);

  void start();
  void stop();  // invariant 3; idempotent

  // Inserts the job (JobStore::enqueue) and wakes the dispatcher.
  boost::asio::awaitable<bool> enqueue(NewJob job);
  // The same for a thread that runs no executor (a scheduler, the mail outbox): blocks the
  // calling thread for one write. Never call it on a worker or the writer.
  bool enqueue_blocking(NewJob job);

  void wake();

  JobStore& store() noexcept { return store_; }
  const std::string& owner() const noexcept { return owner_; }

 private:
  struct Running {
    ClaimedJob job;
    std::chrono::steady_clock::time_point renewed;
  };

  void dispatch_loop();
  void run_loop();
  JobOutcome run_one(const ClaimedJob& job);

  const core::Clock& clock_;
  const RunnerOptions options_;
  const std::string owner_;
  JobStore store_;
  std::map<std::string, JobHandler> handlers_;  // invariant 1

  std::mutex mutex_;  // guards everything below
  std::condition_variable dispatcher_wake_;
  std::condition_variable runners_wake_;
  bool started_ = false;
  bool stopping_ = false;
  bool runners_joined_ = false;            // stop(): no handler runs any more
  bool poke_ = false;                      // enqueue() or a finished job since the last cycle
  std::deque<ClaimedJob> ready_;           // claimed, waiting for a runner thread
  std::map<std::string, Running> active_;  // claimed here and not yet settled, by id
  std::vector<JobOutcome> finished_;       // outcomes not yet written
  std::thread dispatcher_;
  std::vector<std::thread> runners_;
};

}  // namespace basalt::jobs
