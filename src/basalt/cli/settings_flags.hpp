// The glue between the settings table (core/config_settings.hpp) and CLI11: every command that
// needs a Config (serve today; superuser, migrate, collections import later) calls
// add_setting_flags() on its CLI::App and then core::load_config() on the filled sources, so
// all commands accept the same flags, environment variables and basalt.toml.
#pragma once

#include <optional>

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "basalt/core/config_loader.hpp"

namespace basalt::cli {

// Adds `--<name> <type>` for every setting to `command`, in the "Settings" help group, with the
// setting's doc, default and environment variable as help text, and a help footer describing
// the value syntaxes and the precedence rules. A flag given on the command line stores its
// text, unparsed, in `sources.flags[name]`; parsing and checking happen in load_config.
// `sources` must outlive the parse of `command`.
void add_setting_flags(CLI::App& command, core::ConfigSources& sources);

// The process environment (`environ`) as "NAME=VALUE" entries, for ConfigSources::environment.
std::vector<std::string> process_environment();

// Fills `sources.environment` from the process and loads the Config; on a ConfigError prints
// `basalt: <message>` to stderr and returns nullopt (the command then exits with kExitUsage).
// Warnings (unknown BASALT_* variables) go to `warnings`, for log_config_warnings.
std::optional<core::Config> load_command_config(core::ConfigSources& sources,
                                                std::vector<std::string>& warnings);

// Logs each warning at warn level; call once logging is initialised (the log format is itself
// a setting, so load_config cannot log).
void log_config_warnings(const std::vector<std::string>& warnings);

}  // namespace basalt::cli
