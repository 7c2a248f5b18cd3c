// The access log: one line per request on stderr (time, method, path, status, bytes, duration
// in µs, request id, remote address, and the W3C trace id when the request has one), as a JSON
// object or as text following `log-format`.
//
// A request costs only formatting its line into memory. Each worker thread appends lines to
// its own AccessBuffer; whole buffers go to the AccessLog, whose one background thread writes
// them to the sink (stderr).
//
// Invariants:
//  1. An AccessBuffer is touched by one thread at a time: its worker's while the worker runs,
//     the owner's after the worker thread was joined. It takes no lock and makes no syscall
//     except when it hands its text over.
//  2. A buffer is handed over whole — when it reaches Options::buffer_bytes, on each worker
//     sweep tick (kSweepInterval, 100 ms) and when the worker's thread ends — at the cost of
//     one lock and one notify per buffer, never per line. A line is therefore up to one sweep
//     interval late.
//  3. The writer writes buffers in the order they were handed over, each with whole lines:
//     lines of one worker stay in order; lines of different workers interleave by buffer, so
//     across workers the output is not in time order (each line carries its own time).
//  4. Memory is bounded: when the queue holds more than Options::max_queued_bytes (stderr is
//     slower than the traffic), the oldest queued buffers are dropped whole — never the one
//     just handed in — and their lines counted. A worker never waits for stderr. The writer
//     reports drops as one log line, `access log: dropped N lines`, at most once per
//     kDropReportInterval and once more when the log closes.
//  5. ~AccessLog writes everything still queued, then joins the writer, so a clean shutdown
//     loses no line as long as every AccessBuffer was flushed (or destroyed) before.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "basalt/core/config.hpp"

namespace basalt::http {

struct AccessEntry {
  std::chrono::system_clock::time_point time;  // when the response was written; logged in UTC
  std::string_view method;
  std::string_view path;  // without the query string: it may carry tokens or personal data
  int status = 0;
  std::size_t bytes = 0;  // body bytes sent
  std::chrono::microseconds duration{};
  std::string_view request_id;
  std::string_view remote_address;
  std::string_view trace_id;  // 32 hex characters, or empty: no trace (request_tracer.hpp)
};

inline constexpr std::chrono::seconds kDropReportInterval{1};

class AccessLog {
 public:
  // Receives whole lines (each ending in '\n'), from the writer thread only. It may block;
  // it must not throw.
  using Sink = std::function<void(std::string_view text)>;

  struct Options {
    std::size_t buffer_bytes = 32 * 1024;  // an AccessBuffer is handed over past this
    // Cap of the queue (invariant 4). At most this plus one buffer waits; besides, each
    // worker holds up to one buffer and the writer the one it writes.
    std::size_t max_queued_bytes = 2 * 1024 * 1024;
  };

  // Disabled: costs nothing and starts no thread. Enabled: lines go to stderr (fd 2).
  AccessLog(bool enabled, core::LogFormat format);
  // Writes to `sink` (tests: a slow or recording one); an empty sink disables the log.
  AccessLog(core::LogFormat format, Sink sink, Options options);
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  bool enabled() const noexcept { return enabled_; }
  core::LogFormat format() const noexcept { return format_; }
  const Options& options() const noexcept { return options_; }

  // Queues one buffer of `lines` whole lines for the writer. Thread-safe; never waits for
  // the sink (see invariant 4).
  void submit(std::string text, std::size_t lines);

  // Lines dropped so far because the queue was over its cap. Thread-safe.
  std::uint64_t dropped_lines() const;

  // Writes `text` whole to `fd`, retrying on EINTR, partial writes and EAGAIN (waiting for
  // the descriptor to become writable). Gives up silently on any other error: the access log
  // has nowhere to report a broken stderr.
  static void write_all(int fd, std::string_view text) noexcept;

 private:
  struct Batch {
    std::string text;
    std::size_t lines = 0;
  };

  void run_writer();
  std::string drop_report(std::uint64_t lines) const;

  bool enabled_;
  core::LogFormat format_;
  Options options_;
  Sink sink_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Batch> queue_;       // oldest first
  std::size_t queued_bytes_ = 0;  // text bytes in queue_
  std::uint64_t dropped_lines_ = 0;
  std::uint64_t unreported_drops_ = 0;
  bool closing_ = false;
  std::thread writer_;  // last: started once everything above exists
};

// One thread's access-log lines in memory (invariant 1). Owned by a Worker.
class AccessBuffer {
 public:
  explicit AccessBuffer(AccessLog& log) : log_(log) {}
  ~AccessBuffer() { flush(); }
  AccessBuffer(const AccessBuffer&) = delete;
  AccessBuffer& operator=(const AccessBuffer&) = delete;

  bool enabled() const noexcept { return log_.enabled(); }

  // Appends one line; hands the buffer over once it is full. No-op when the log is disabled.
  void record(const AccessEntry& entry);
  // Hands a non-empty buffer over (the sweep tick, the end of the worker's thread).
  void flush();

 private:
  void append_time(std::chrono::system_clock::time_point time);

  AccessLog& log_;
  std::string text_;
  std::size_t lines_ = 0;
  // The formatted "YYYY-MM-DDTHH:MM:SS." of cached_second_; a line adds only milliseconds.
  std::int64_t cached_second_ = INT64_MIN;
  std::string second_prefix_;
};

}  // namespace basalt::http
