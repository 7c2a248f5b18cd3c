// `basalt collections export [FILE]` and `basalt collections import FILE [--delete-missing]`:
// collection definitions in and out of the data directory without the HTTP API. Both take the
// same settings flags as `serve` (--dir above all), and open the directory exclusively, so
// they refuse to run against a directory a server is using.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "basalt/core/config_loader.hpp"

namespace basalt::cli {

class CollectionsCommand {
 public:
  // Registers `collections` with its two subcommands on `root` (same lifetime rules as
  // ServeCommand).
  explicit CollectionsCommand(CLI::App& root);
  CollectionsCommand(const CollectionsCommand&) = delete;
  CollectionsCommand& operator=(const CollectionsCommand&) = delete;

  bool chosen() const { return command_->parsed(); }

  // Exit code: 0; 1 when the command failed (reason on stderr); 2 for a bad configuration.
  int run();

 private:
  CLI::App* command_;
  CLI::App* export_;
  CLI::App* import_;
  core::ConfigSources export_sources_;
  core::ConfigSources import_sources_;
  std::string export_file_;  // "" or "-": stdout
  std::string import_file_;
  bool delete_missing_ = false;
};

}  // namespace basalt::cli
