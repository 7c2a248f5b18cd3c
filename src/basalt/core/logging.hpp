// Process-wide logging on stderr through spdlog, as human text or one JSON object per line.
//
// The access log (http/access_log) has its own batched writer thread so a request never waits
// for stderr; everything else (startup, errors) goes through here, synchronous and rare.
#pragma once

#include <functional>
#include <string_view>

#include "basalt/core/config.hpp"

namespace basalt::core {

// Installs the default logger. Call once, before any thread starts.
void init_logging(LogFormat format, LogLevel level);

// Hands every warn (level 4), error and critical (level 8) message of the default logger to
// `forward` too, from the thread that logged it, until called again (nullptr: stop). The
// request logs use it (logs/process_log_sink.hpp). `forward` must not block or log.
using LogForward = std::function<void(int level, std::string_view message)>;
void set_log_forward(LogForward forward);

// Flushes and stops the loggers. Call once at exit.
void shutdown_logging();

// Appends `text` to `out` as the inside of a JSON string (quotes not included), escaping
// control characters, quotes and backslashes; invalid UTF-8 bytes are replaced by U+FFFD.
void append_json_escaped(std::string& out, std::string_view text);

}  // namespace basalt::core
