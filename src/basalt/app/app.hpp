// The composition root: builds every module from a Config in dependency order, runs the
// server until SIGINT/SIGTERM, and stops the modules in reverse order.
#pragma once

#include "basalt/core/config.hpp"

namespace basalt::app {

class ServeExtension;  // serve_extension.hpp

// Runs `basalt serve` to completion. Once the listeners are bound it prints exactly one line
// to stdout, `Server started at http://HOST:PORT` (the real port when 0 was asked for), and
// flushes it; tests and scripts read that line. Returns the process exit code: 0 after a
// graceful shutdown, 1 when startup failed (the reason is logged).
// `extension`: what a program linking Basalt adds (serve_extension.hpp); null for none.
int serve(const core::Config& config, ServeExtension* extension = nullptr);

}  // namespace basalt::app
