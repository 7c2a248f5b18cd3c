// The process log's warnings and errors as `_logs` entries (docs/observability.md, "Logs
// API"), as PocketBase's app logger writes its own warnings and errors into the logs database:
// while a ProcessLogForward lives, each warn (level 4), error and critical (level 8) line of
// the process log (core/logging.hpp) is also handed to RequestLogger::log(), message only,
// data {}. Destroy it before the RequestLogger. Never blocks (RequestLogger invariant 1).
// Thread safety: construct and destroy on the owner's thread.
#pragma once

#include "basalt/logs/request_logger.hpp"

namespace basalt::logs {

class ProcessLogForward {
 public:
  explicit ProcessLogForward(RequestLogger& logger);
  ~ProcessLogForward();
  ProcessLogForward(const ProcessLogForward&) = delete;
  ProcessLogForward& operator=(const ProcessLogForward&) = delete;
};

}  // namespace basalt::logs
