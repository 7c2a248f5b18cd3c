// BlockingPool: a few threads for CPU-heavy work (password hashing, later thumbnails), so that
// it never runs on an I/O thread (docs/architecture.md).
//
//   core::BlockingPool pool({.threads = 2, .max_queued = 256});
//   std::string hash = co_await pool.run([&] { return hasher.hash(password); });
//
// The coroutine is suspended while its task runs, so the task may refer to the coroutine's
// locals. The I/O thread stays free to serve its other connections meanwhile.
//
// Invariants:
//  1. A task runs once, on a pool thread, or not at all. The awaiting coroutine always resumes
//     on its own executor (never on a pool thread), with the task's result or its exception.
//  2. At most `max_queued` tasks wait for a thread (running tasks are not counted). run() past
//     that, or after stop(), resumes the caller with ApiError 503 without running the task.
//  3. stop() fails every queued task with ApiError 503; tasks already running finish.
//  4. Every completion is posted to the awaiting coroutine's executor, whose work count it holds
//     until then (so an io_context::run() does not return while a task is out). The contexts of
//     awaiting coroutines must therefore outlive shutdown(); they may be stopped, and a
//     completion posted to a stopped context is destroyed with it.
//
// Threads: mutex_ guards queue_ and stopping_. A task object is owned by the queue, then by the
// pool thread that runs it. The pool threads are owned by the object and joined by shutdown().
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "basalt/core/span_scope.hpp"
#include "basalt/metrics/thread_block.hpp"

namespace basalt::core {

struct BlockingPoolOptions {
  unsigned threads = 2;          // at least 1
  std::size_t max_queued = 256;  // tasks waiting for a thread; past it run() fails with 503
  // The `pool` label of its queue, task and wait metrics (docs/observability.md).
  metrics::Pool pool = metrics::Pool::kBlocking;
};

class BlockingPool {
 public:
  // One unit of work, type-erased. Exactly one of run() and fail() is called, once.
  class Task {
   public:
    virtual ~Task() = default;
    virtual void run() noexcept = 0;                           // on a pool thread
    virtual void fail(std::exception_ptr error) noexcept = 0;  // instead of running

   private:
    friend class BlockingPool;
    // Set by submit() on the submitting thread: the span the task works for (installed on the
    // pool thread while it runs, so its statements and outgoing requests join the request's
    // trace: core/span_scope.hpp), and when it was queued (metrics on only).
    ActiveSpan span_;
    std::chrono::steady_clock::time_point queued_at_{};
  };

  // Starts the threads. Throws std::invalid_argument when options.threads is 0.
  explicit BlockingPool(BlockingPoolOptions options);
  ~BlockingPool();  // shutdown()
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // Runs `f()` on a pool thread and resumes the calling coroutine on its own executor with the
  // value f returned, or rethrows what f threw. When the queue is full or the pool is stopped,
  // rethrows ApiError 503 and f never runs. F must be movable; its result type movable.
  template <typename F>
  boost::asio::awaitable<std::invoke_result_t<F&>> run(F f);

  // Queues a task; when the queue is full or the pool is stopped, calls task->fail() with
  // ApiError 503 instead (on the calling thread). Thread-safe.
  void submit(std::unique_ptr<Task> task);

  // Stops taking work and fails every queued task with ApiError 503; running tasks finish.
  // Returns at once. Thread-safe; idempotent.
  void stop();

  // stop(), then waits for the running tasks and joins the threads. Idempotent; call it from
  // the owning thread, never from a pool thread.
  void shutdown();

  unsigned threads() const noexcept { return static_cast<unsigned>(threads_.size()); }

 private:
  void work();

  const std::size_t max_queued_;
  const metrics::Pool pool_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::unique_ptr<Task>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

namespace detail {

// A task's result or its exception, carried back to the awaiting coroutine.
template <typename R>
struct PoolOutcome {
  std::optional<R> value;
  std::exception_ptr error;

  R take() && {
    if (error) std::rethrow_exception(error);
    return std::move(*value);
  }
};

template <>
struct PoolOutcome<void> {
  std::exception_ptr error;

  void take() && {
    if (error) std::rethrow_exception(error);
  }
};

// Holds the function, the coroutine's completion handler and a work-tracking copy of its
// executor (invariant 4).
template <typename F, typename Handler>
class PoolCall final : public BlockingPool::Task {
 public:
  using Result = std::invoke_result_t<F&>;
  using Outcome = PoolOutcome<Result>;

  PoolCall(F f, Handler handler)
      : f_(std::move(f)),
        handler_(std::move(handler)),
        executor_(boost::asio::prefer(boost::asio::get_associated_executor(handler_),
                                      boost::asio::execution::outstanding_work.tracked)) {}

  void run() noexcept override {
    Outcome outcome;
    try {
      if constexpr (std::is_void_v<Result>) {
        f_();
      } else {
        outcome.value.emplace(f_());
      }
    } catch (...) {
      outcome.error = std::current_exception();
    }
    complete(std::move(outcome));
  }

  void fail(std::exception_ptr error) noexcept override {
    Outcome outcome;
    outcome.error = std::move(error);
    complete(std::move(outcome));
  }

 private:
  // The handler leaves this thread inside the posted function; the tracked executor is released
  // only afterwards, when the task is destroyed.
  void complete(Outcome outcome) noexcept {
    boost::asio::post(executor_,
                      [handler = std::move(handler_), outcome = std::move(outcome)]() mutable {
                        std::move(handler)(std::move(outcome));
                      });
  }

  F f_;
  Handler handler_;
  std::decay_t<decltype(boost::asio::prefer(
      std::declval<boost::asio::associated_executor_t<Handler>>(),
      boost::asio::execution::outstanding_work.tracked))>
      executor_;
};

}  // namespace detail

template <typename F>
boost::asio::awaitable<std::invoke_result_t<F&>> BlockingPool::run(F f) {
  using Outcome = detail::PoolOutcome<std::invoke_result_t<F&>>;
  Outcome outcome =
      co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(Outcome)>(
          [this](auto handler, F task_function) {
            using Handler = decltype(handler);
            submit(std::make_unique<detail::PoolCall<F, Handler>>(std::move(task_function),
                                                                  std::move(handler)));
          },
          boost::asio::use_awaitable, std::move(f));
  co_return std::move(outcome).take();
}

}  // namespace basalt::core
