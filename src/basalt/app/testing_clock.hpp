// The controlled clock of the end-to-end tests (tests/e2e/hooks_cron.test.mjs): a cron job of
// a script runs on its schedule without the test waiting real minutes.
//
// It can only be switched on by the process environment variable E2E_BASALT_MANUAL_CLOCK=1:
// it is not a setting (no flag, no config file key, no BASALT_* variable names it), and the
// server refuses to start with it unless it listens on a loopback address. A loud warning is
// logged at start. Then:
//   - the whole server reads the date from a OffsetClock (steady time is untouched);
//   - POST /api/_testing/clock {"unixMs": N} (superusers only) sets the date to N and runs one
//     cron scheduler tick at it (jobs::CronScheduler::tick, on the blocking pool), answering
//     {"now": "<date>"} once the due runs are enqueued.
// Without the variable, neither the clock nor the route exists.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>

#include "basalt/api/services.hpp"
#include "basalt/core/clock.hpp"
#include "basalt/core/config.hpp"
#include "basalt/http/router.hpp"
#include "basalt/jobs/cron_scheduler.hpp"

namespace basalt::app {

// The system clock with a wall-clock offset that can be set while it is read. The steady
// reading is the system's own, so timeouts and rate windows are unaffected; only what reads the
// date (cron, created, tokens) moves. Thread safety: any thread.
class OffsetClock final : public core::Clock {
 public:
  std::chrono::system_clock::time_point now() const override;
  std::chrono::steady_clock::time_point steady_now() const override;

  // From now on, now() reads `at` plus the real time elapsed since this call.
  void set(std::chrono::system_clock::time_point at) noexcept;

 private:
  std::atomic<std::chrono::nanoseconds::rep> offset_{0};
};

// Null unless E2E_BASALT_MANUAL_CLOCK=1; throws std::runtime_error when it is set and the
// server would listen on anything but a loopback address.
std::unique_ptr<OffsetClock> testing_clock(const core::Config& config);

// POST /api/_testing/clock; all three must outlive the route.
http::Route testing_clock_route(const api::Services& services, OffsetClock& clock,
                                jobs::CronScheduler& crons);

}  // namespace basalt::app
