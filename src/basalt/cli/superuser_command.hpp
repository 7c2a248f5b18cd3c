// `basalt superuser upsert EMAIL PASSWORD` and `basalt superuser delete EMAIL`, taking the same
// settings flags as `serve` (--dir above all). Like every data command they lock the data
// directory, so they refuse to run against one a server is using.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "basalt/core/config_loader.hpp"

namespace basalt::cli {

class SuperuserCommand {
 public:
  explicit SuperuserCommand(CLI::App& root);
  SuperuserCommand(const SuperuserCommand&) = delete;
  SuperuserCommand& operator=(const SuperuserCommand&) = delete;

  bool chosen() const { return command_->parsed(); }
  // Exit code: 0; 1 when the command failed (every problem on stderr); 2 for a bad config.
  int run();

 private:
  CLI::App* command_;
  CLI::App* upsert_;
  CLI::App* delete_;
  core::ConfigSources upsert_sources_;
  core::ConfigSources delete_sources_;
  std::string email_;
  std::string password_;
};

}  // namespace basalt::cli
