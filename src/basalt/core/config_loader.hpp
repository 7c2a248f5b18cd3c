// Builds a Config from the settings table (settings.hpp) and four sources. Each source is
// applied on top of the previous one, so a later source wins:
//
//   default  <  TOML file  <  BASALT_* environment variable  <  command-line flag
//
// Every value given by any source is parsed and checked, including values a later source
// overrides, so a typo never hides until the override is removed.
//
// The TOML file is the one named by the `config` flag, else by BASALT_CONFIG, else
// `basalt.toml` in `default_config_dir` if that file exists. A named file that does not exist
// is an error; an empty name means "no file". Its keys must be top-level setting names (not
// "config"); values are strings, integers, booleans or, for list settings, arrays of strings,
// and go through the same parsers as text from the other sources.
//
// Errors (all ConfigError; the message names the key and its source and suggests a close
// setting name where there is one): an unknown flag name or TOML key; a value that does not
// parse or is out of range; a missing or malformed TOML file. An unknown BASALT_* variable is
// not an error: it is skipped, and named with the nearest setting's variable in a warning
// (see config.hpp for why).
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "basalt/core/config.hpp"

namespace basalt::core {

struct ConfigSources {
  // Setting name (no leading "--") -> text, for flags given on the command line.
  std::map<std::string, std::string, std::less<>> flags;
  // "NAME=VALUE" entries, e.g. copied from `environ`; entries not starting with BASALT_ are
  // ignored.
  std::vector<std::string> environment;
  // Where `basalt.toml` is looked for when no config file is named (tests point it elsewhere).
  std::filesystem::path default_config_dir = ".";
};

// Returns the resolved Config: `threads` == 0 is replaced by the number of hardware threads
// (at least 1, at most kMaxThreads). Throws ConfigError. Reads only the TOML file. Appends one
// message per tolerated problem to `warnings` when given; the caller logs them once logging is
// set up (the log format is itself a setting).
Config load_config(const ConfigSources& sources, std::vector<std::string>* warnings = nullptr);

}  // namespace basalt::core
