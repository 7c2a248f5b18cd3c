// The composition root: builds every module from a Config in dependency order, runs the
// server until SIGINT/SIGTERM, and stops the modules in reverse order.
#pragma once

#include "basalt/core/config.hpp"

namespace basalt::app {

// Runs `basalt serve` to completion. Once the listeners are bound it prints exactly one line
// to stdout, `Server started at http://HOST:PORT` (the real port when 0 was asked for), and
// flushes it; tests and scripts read that line. Returns the process exit code: 0 after a
// graceful shutdown, 1 when startup failed (the reason is logged).
int serve(const core::Config& config);

}  // namespace basalt::app
