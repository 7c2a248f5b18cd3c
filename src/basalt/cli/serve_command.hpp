// `basalt serve [settings flags]`: loads the Config (flags > BASALT_* environment > TOML file >
// defaults), starts logging and runs the server until SIGINT/SIGTERM.
#pragma once

#include <CLI/CLI.hpp>

#include "basalt/core/config_loader.hpp"

namespace basalt::app {
class ServeExtension;
}

namespace basalt::cli {

class ServeCommand {
 public:
  // Registers the `serve` subcommand and its flags on `root`; `root` must outlive this object,
  // and this object must outlive root's parse (the flags write into it).
  explicit ServeCommand(CLI::App& root);
  ServeCommand(const ServeCommand&) = delete;
  ServeCommand& operator=(const ServeCommand&) = delete;

  // True when the parsed command line chose `serve`.
  bool chosen() const { return command_->parsed(); }

  // Runs the server; returns the process exit code: app::serve's code (0 after a graceful
  // shutdown, 1 when startup failed), or 2 after printing `basalt: <message>` to stderr when
  // the configuration is invalid.
  int run(app::ServeExtension* extension = nullptr);

 private:
  CLI::App* command_;  // owned by root
  core::ConfigSources sources_;
};

}  // namespace basalt::cli
