#include "basalt/cli/superuser_command.hpp"

#include <fmt/format.h>

#include <iostream>
#include <optional>

#include "basalt/app/superusers.hpp"
#include "basalt/cli/exit_codes.hpp"
#include "basalt/cli/settings_flags.hpp"
#include "basalt/core/logging.hpp"

namespace basalt::cli {
SuperuserCommand::SuperuserCommand(CLI::App& root)
    : command_(root.add_subcommand("superuser", "Create, update or delete a superuser")) {
  command_->require_subcommand(1);
  upsert_ = command_->add_subcommand("upsert",
                                     "Create a superuser, or set the password of an existing one");
  upsert_->add_option("email", email_, "The superuser's email")->required();
  upsert_->add_option("password", password_, "The password (at least 8 characters)")->required();
  add_setting_flags(*upsert_, upsert_sources_);
  delete_ = command_->add_subcommand("delete", "Delete a superuser");
  delete_->add_option("email", email_, "The superuser's email")->required();
  add_setting_flags(*delete_, delete_sources_);
}

int SuperuserCommand::run() {
  const bool upsert = upsert_->parsed();
  std::vector<std::string> warnings;
  auto config = load_command_config(upsert ? upsert_sources_ : delete_sources_, warnings);
  if (!config) return kExitUsage;
  core::init_logging(config->log_format, core::LogLevel::kWarn);
  log_config_warnings(warnings);
  return upsert ? app::upsert_superuser(*config, email_, password_, std::cout, std::cerr)
                : app::delete_superuser(*config, email_, std::cout, std::cerr);
}

}  // namespace basalt::cli
