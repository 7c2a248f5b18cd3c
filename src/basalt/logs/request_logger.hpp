// RequestLogger: PocketBase's request logs (docs/observability.md, "Logs API"). An
// http::RequestObserver that turns every answered request into a `_logs` entry of LogStore,
// written in batches by a thread of its own, and the sink of application warnings and errors.
//
// What an entry holds (PocketBase's activity logger): message "GET /api/…" (the URI
// percent-decoded), level 0 (info) or 8 (error, for a request that failed: status >= 400),
// data {type:"request", url, method, status, execTime (ms), referer, userAgent, auth (the
// caller's collection name or ""), authId (with settings.logs.logAuthId), userIP and remoteIP
// (with settings.logs.logIP), error (when it failed)}; url cut at 3,000 bytes, referer and
// userAgent at 2,000 (then "..." appended).
//
// Invariants:
//   1. A request never waits for the database: on_request() copies a few strings and appends
//      them to a bounded queue under a mutex held for a push_back. A full queue (Options::
//      max_queued entries) drops the entry and counts it (dropped()); the drops are reported in
//      the process log by the logger's thread, at most once per flush.
//   2. The settings are read per request through `settings` (settings.logs: maxDays 0 turns
//      logging off, minLevel drops lower levels, logIP, logAuthId), so a change applies to the
//      next request, without a restart.
//   3. The logger's thread alone formats entries (ids, times, the data JSON) and writes them:
//      whenever max_batch entries wait or flush_interval passed, all waiting entries in one
//      write job on auxiliary.db's own writer. It also deletes entries older than maxDays days,
//      at start, when prune_now() asks (the __pbLogsCleanup__ cron job, docs/jobs.md) and
//      every prune_interval when that is not zero.
//   4. stop() writes what is queued, then ends the thread; entries offered later are dropped.
// Thread safety: on_request() and log() from any thread; the rest from the owner's.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "basalt/core/batching_queue.hpp"
#include "basalt/core/clock.hpp"
#include "basalt/http/request_observer.hpp"
#include "basalt/logs/log_store.hpp"

namespace basalt::logs {

inline constexpr int kLevelDebug = -4;
inline constexpr int kLevelInfo = 0;
inline constexpr int kLevelWarn = 4;
inline constexpr int kLevelError = 8;

// settings.logs as the logger reads it.
struct LogsPolicy {
  std::int64_t max_days = 5;
  std::int64_t min_level = 0;
  bool log_ip = true;
  bool log_auth_id = false;
};

class RequestLogger final : public http::RequestObserver {
 public:
  struct Options {
    std::size_t max_queued = 20'000;  // a few MiB of copied strings at most
    std::size_t max_batch = 1000;     // one transaction per this many entries at most waiting
    std::chrono::milliseconds flush_interval{1000};
    std::chrono::minutes prune_interval{60};  // zero: only at start and on prune_now()
  };
  using PolicySource = std::function<LogsPolicy()>;

  // Starts the thread. `store`, `policy` and `clock` must outlive stop().
  RequestLogger(LogStore& store, PolicySource policy, const core::Clock& clock, Options options);
  ~RequestLogger() override;
  RequestLogger(const RequestLogger&) = delete;
  RequestLogger& operator=(const RequestLogger&) = delete;

  void on_request(const http::CompletedRequest& completed) noexcept override;
  // An application entry (a warning, an error) with its data object's JSON text ("{}" when
  // empty). Kept when maxDays > 0 and level >= minLevel.
  void log(int level, std::string message, std::string data = "{}") noexcept;

  // Writes every entry queued so far before returning (tests, shutdown).
  void flush();
  // Deletes the entries past retention now, on the calling thread, through the store's own
  // writer (the __pbLogsCleanup__ cron job, docs/jobs.md). Any thread but the logger's.
  void prune_now();
  // Entries refused because the queue was full.
  std::uint64_t dropped() const;
  void stop();

 private:
  // What a worker hands over: copied strings, formatted later on the logger's thread.
  struct Pending {
    std::chrono::system_clock::time_point time;
    int level = 0;
    bool request = false;
    std::string message;  // application entries
    std::string data;     // application entries: the JSON text
    // request entries
    std::string method;
    std::string url;
    int status = 0;
    double exec_ms = 0;
    std::string referer;
    std::string user_agent;
    std::string auth;
    std::string auth_id;
    std::string user_ip;
    std::string remote_ip;
    std::string error;
  };

  void push(Pending pending) noexcept;
  // The queue's consumer, on the logger's thread: a batch (possibly empty), then the hourly
  // retention when due.
  void consume(std::vector<Pending>& batch);
  void write(std::vector<Pending>& batch);
  void prune();
  static LogEntry to_entry(Pending& pending);

  LogStore& store_;
  PolicySource policy_;
  const core::Clock& clock_;
  Options options_;

  // The logger's thread only.
  std::chrono::steady_clock::time_point next_prune_{};
  core::BatchingQueue<Pending> queue_;  // last: its thread stops before the members above go
};

}  // namespace basalt::logs
