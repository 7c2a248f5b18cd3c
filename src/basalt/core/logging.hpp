// Process-wide logging on stderr through spdlog, as human text or one JSON object per line.
//
// The access log (http/access_log) has its own batched writer thread so a request never waits
// for stderr; everything else (startup, errors) goes through here, synchronous and rare.
#pragma once

#include <string_view>

#include "basalt/core/config.hpp"

namespace basalt::core {

// Installs the default logger. Call once, before any thread starts.
void init_logging(LogFormat format, LogLevel level);

// Flushes and stops the loggers. Call once at exit.
void shutdown_logging();

// Appends `text` to `out` as the inside of a JSON string (quotes not included), escaping
// control characters, quotes and backslashes; invalid UTF-8 bytes are replaced by U+FFFD.
void append_json_escaped(std::string& out, std::string_view text);

}  // namespace basalt::core
