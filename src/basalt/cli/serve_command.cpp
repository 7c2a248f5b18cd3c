#include "basalt/cli/serve_command.hpp"

#include <fmt/format.h>

#include <cstdio>

#include "basalt/app/app.hpp"
#include "basalt/cli/exit_codes.hpp"
#include "basalt/cli/settings_flags.hpp"
#include "basalt/core/logging.hpp"

namespace basalt::cli {
namespace {

// Flushes the loggers however serve() ends.
class LoggingScope {
 public:
  explicit LoggingScope(const core::Config& config) {
    core::init_logging(config.log_format, config.log_level);
  }
  LoggingScope(const LoggingScope&) = delete;
  LoggingScope& operator=(const LoggingScope&) = delete;
  ~LoggingScope() { core::shutdown_logging(); }
};

}  // namespace

ServeCommand::ServeCommand(CLI::App& root)
    : command_(root.add_subcommand("serve", "Run the HTTP server")) {
  add_setting_flags(*command_, sources_);
}

int ServeCommand::run(app::ServeExtension* extension) {
  std::vector<std::string> warnings;
  std::optional<core::Config> config = load_command_config(sources_, warnings);
  if (!config) return kExitUsage;
  LoggingScope logging(*config);
  log_config_warnings(warnings);
  return app::serve(*config, extension);
}

}  // namespace basalt::cli
