// Dispatcher::Live, the state of one destination the dispatcher owns: shared by dispatcher.cpp
// (passes, leases, serving) and dispatcher_threads.cpp (the threads and their wake-ups);
// private to the events module.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "basalt/db/database.hpp"
#include "basalt/events/destination.hpp"
#include "basalt/events/dispatcher.hpp"

namespace basalt::events {

struct Dispatcher::Live {
  std::string updated;  // the spec's `updated` it was built from
  std::unique_ptr<Destination> destination;
  std::atomic<bool> busy{false};        // a task of it is queued or running
  std::atomic<bool> lost_lease{false};  // a task found another owner: ask again
  std::atomic<bool> look_again{false};  // a pass found it busy: the task's end wakes one
  // The `_destinationsVersion` its spec was read at; set by the dispatcher's thread before it
  // hands the destination to a task (the hand-over orders it before the task's read).
  std::int64_t spec_version = 0;
  std::atomic<std::int64_t> next_due_ms{0};  // its next retry (0: none)
  std::int64_t backoff_checked_ms = 0;       // the last pass that served it while a retry waited
  // Progress delivered but not saved yet: every event up to `unsaved_cursor` is delivered,
  // dead or not wanted, and `unsaved_logs` are their attempts. Saved in one write job once
  // kSaveEvery attempts are pending, before a retry's wait, once `save_delay` has passed since
  // the first of them (`save_due_ms`), when the destination is rebuilt or dropped, and at
  // stop(). Owned by whoever holds `busy` (a task), or by the dispatcher's thread while it is
  // clear; `save_due_ms` is read by the dispatcher's thread to time its next pass.
  std::int64_t unsaved_cursor = 0;  // 0: nothing unsaved
  std::vector<db::Params> unsaved_logs;
  std::atomic<std::int64_t> save_due_ms{0};  // 0: nothing unsaved
  bool has_unsaved() const { return unsaved_cursor > 0 || !unsaved_logs.empty(); }
};

}  // namespace basalt::events
