// The outbox dispatcher's threads (docs/events.md, "Threads"): the dispatcher's own thread and
// its passes, the delivery pool, and how they are woken and stopped. What a pass and a task
// do is dispatcher.cpp.
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "basalt/core/run_blocking.hpp"
#include "basalt/core/thread_runner.hpp"
#include "basalt/events/dispatcher.hpp"
#include "basalt/events/dispatcher_internal.hpp"

namespace basalt::events {

using core::run_blocking;

namespace {

// Sets the calling thread's niceness to `nice` unless it is already higher (Linux schedules
// threads one by one; lowering priority needs no privilege). Failing only costs the policy,
// so it is logged, not thrown.
void lower_priority(int nice) {
  if (nice <= 0) return;
  const auto thread = static_cast<id_t>(::syscall(SYS_gettid));
  errno = 0;
  const int current = ::getpriority(PRIO_PROCESS, thread);
  if (current == -1 && errno != 0) return;
  if (current >= nice) return;
  if (::setpriority(PRIO_PROCESS, thread, nice) != 0) {
    spdlog::warn("events: the delivery threads keep their priority: setpriority failed ({})",
                 std::strerror(errno));
  }
}

}  // namespace

void Dispatcher::start() {
  const std::size_t threads = std::max<std::size_t>(options_.concurrency, 1);
  for (std::size_t i = 0; i < threads; ++i) {
    pool_.emplace_back([this] {
      pthread_setname_np(pthread_self(), "basalt-deliver");  // for top -H and perf
      lower_priority(options_.thread_nice);
      run_pool();
    });
  }
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "basalt-outbox");
    lower_priority(options_.thread_nice);
    run();
  });
}

void Dispatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wakeup_.notify_all();
  if (thread_.joinable()) thread_.join();
  // Tasks not started are dropped (their events stay after the cursor); running ones end
  // within their destination's timeouts.
  {
    std::lock_guard lock(pool_mutex_);
    pool_stopping_ = true;
    tasks_.clear();
  }
  pool_wakeup_.notify_all();
  for (std::thread& thread : pool_) thread.join();
  pool_.clear();
  try {
    run_blocking(save_all_unsaved());  // before the leases go: the next owner starts after it
  } catch (const std::exception& error) {
    spdlog::warn("events: saving the dispatcher's progress failed: {}", error.what());
  }
  try {
    run_blocking(release_leases());
  } catch (const std::exception& error) {
    spdlog::warn("events: releasing the dispatcher's leases failed: {}", error.what());
  }
}

void Dispatcher::wake() {
  // Called after the commit of every local event a destination wants: nothing to do while a
  // wake-up is recorded and no pass has taken it yet. The flag is set only with woken_, under
  // the lock, and both are cleared under it just before a pass begins; the fence orders the
  // caller's commit before the test, so the pass that takes the recorded wake-up sees it.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (wake_pending_.load(std::memory_order_seq_cst)) return;
  std::lock_guard lock(mutex_);
  woken_ = true;
  wake_pending_.store(true, std::memory_order_seq_cst);
  // Under the lock: a waker preempted between unlocking and notifying would otherwise leave
  // the thread asleep while every other waker sees the wake-up recorded and returns.
  if (idle_) wakeup_.notify_one();
}

void Dispatcher::recheck() {
  std::lock_guard lock(mutex_);
  woken_ = true;
  recheck_ = true;
  wake_pending_.store(true, std::memory_order_seq_cst);
  wakeup_.notify_one();
}

void Dispatcher::run() {
  // Every pass of this thread on one io_context: on PostgreSQL, one connection kept.
  core::ThreadRunner runner;
  while (true) {
    const auto started = std::chrono::steady_clock::now();
    try {
      PassReport report;
      runner.run(pass(report, false));
    } catch (const std::exception& error) {
      spdlog::warn("events: dispatcher pass failed: {}", error.what());
    }
    std::unique_lock lock(mutex_);
    if (stopping_) return;
    if (!woken_) {
      // Nothing asked since the pass began: sleep until a wake-up, a retry or save falls due,
      // or the poll (other instances' commits).
      auto wait = options_.poll_interval;
      if (next_due_ms_ > 0) {
        const auto until_due =
            std::chrono::milliseconds(std::max<std::int64_t>(next_due_ms_ - now_ms(), 1));
        wait = std::min(wait, until_due);
      }
      idle_ = true;
      wakeup_.wait_for(lock, wait, [this] { return woken_ || stopping_; });
      idle_ = false;
      if (stopping_) return;
    }
    if (woken_) {
      // Commit-driven passes start at least min_pass_interval apart, so that the commits of
      // that time share one pass (a commit after a quiet spell is served at once). wake()
      // does not notify during this wait: only stop() ends it early.
      wakeup_.wait_until(lock, started + options_.min_pass_interval, [this] { return stopping_; });
      if (stopping_) return;
    }
    woken_ = false;
    wake_pending_.store(false, std::memory_order_seq_cst);
  }
}

void Dispatcher::run_pool() {
  core::ThreadRunner runner;  // the tasks of this delivery thread, as run() keeps its own
  while (true) {
    std::function<void(core::ThreadRunner&)> task;
    {
      std::unique_lock lock(pool_mutex_);
      pool_wakeup_.wait(lock, [this] { return pool_stopping_ || !tasks_.empty(); });
      if (pool_stopping_) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task(runner);
  }
}

void Dispatcher::submit(DestinationSpec spec, std::shared_ptr<Live> live) {
  auto task = [this, spec = std::move(spec), live = std::move(live)](core::ThreadRunner& runner) {
    PassReport report;
    try {
      runner.run(serve(spec, *live, report));
    } catch (const std::exception& error) {
      spdlog::warn("events: delivering to destination {} failed: {}", spec.id, error.what());
    }
    live->busy.store(false, std::memory_order_seq_cst);
    // A pass that found it busy asked for another look (a commit may have come after this
    // task read its rows): taken after `busy` is clear, so either that pass saw it clear and
    // submitted a task itself, or this exchange sees its request.
    const bool asked_again = live->look_again.exchange(false, std::memory_order_seq_cst);
    if (report.stale) {
      recheck();
    } else if (report.delivered + report.failed + report.skipped > 0 || live->lost_lease.load() ||
               asked_again) {
      wake();
    }
  };
  {
    std::lock_guard lock(pool_mutex_);
    tasks_.push_back(std::move(task));
  }
  pool_wakeup_.notify_one();
}

PassReport Dispatcher::run_pass() {
  PassReport report;
  run_blocking(pass(report, true));
  return report;
}

std::size_t Dispatcher::prune() {
  return run_blocking(prune_now());
}

}  // namespace basalt::events
