// The sweep of expired sign-in rows (docs/auth-flows.md, "Expired rows"): PocketBase's hourly
// cron jobs __pbOTPCleanup__ and __pbMFACleanup__. An `_otps` row is expired once older than
// its auth collection's otp.duration, an `_mfas` row once older than mfa.duration - for every
// auth collection, whether OTP or MFA is on or not (rows left from when it was). Expired rows
// are already refused by the flows; the sweep only keeps the tables from growing.
//
// ExpiredAuthRowSweeper owns ONE thread with ONE timer: it sweeps at start and then every
// `interval` (an hour, PocketBase's schedule), until stop(). A pass reads a page of at most
// `page_size` expired rows of one collection on a read connection, then deletes them in one
// small write job (each row only if it is still there and still expired), publishing a
// RecordEvent per deleted row after the commit; the writer serves everyone else between pages,
// and stop() is checked between pages.
//
// Thread ownership: sweep_expired_auth_rows runs on the caller's thread (the sweeper's, or a
// test's); never a worker nor the writer.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>

#include "basalt/records/record_service.hpp"

namespace basalt::records {

struct ExpiredAuthRowsReport {
  std::size_t otps = 0;  // `_otps` rows deleted
  std::size_t mfas = 0;  // `_mfas` rows deleted
};

// One pass over every auth collection, with the service's clock as "now".
ExpiredAuthRowsReport sweep_expired_auth_rows(RecordService& records,
                                              const collections::CollectionService& collections,
                                              std::size_t page_size, const std::atomic<bool>& stop);

class ExpiredAuthRowSweeper {
 public:
  struct Options {
    std::chrono::steady_clock::duration interval = std::chrono::hours(1);
    std::size_t page_size = 100;
    // Called on the sweeper's thread after each pass that did not fail (tests).
    std::function<void(const ExpiredAuthRowsReport&)> after_pass;
  };

  // Starts the thread; `records` and `collections` must outlive stop().
  ExpiredAuthRowSweeper(RecordService& records, const collections::CollectionService& collections,
                        Options options);
  ~ExpiredAuthRowSweeper();
  ExpiredAuthRowSweeper(const ExpiredAuthRowSweeper&) = delete;
  ExpiredAuthRowSweeper& operator=(const ExpiredAuthRowSweeper&) = delete;

  // Ends the current page's job, then the thread. Idempotent.
  void stop();

 private:
  void run();

  RecordService& records_;
  const collections::CollectionService& collections_;
  Options options_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace basalt::records
