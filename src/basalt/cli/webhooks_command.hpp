// `basalt webhooks list`, `basalt webhooks create --url URL [...]`, `basalt webhooks delete ID`:
// the webhooks of /api/webhooks from the command line (docs/events.md, "Managing webhooks").
// Same settings flags as `serve` (--dir above all); run on the directory itself when no server
// holds it, else through that server's admin socket, so a running server's dispatcher sees the
// change at once.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "basalt/core/config_loader.hpp"

namespace basalt::cli {

class WebhooksCommand {
 public:
  explicit WebhooksCommand(CLI::App& root);
  WebhooksCommand(const WebhooksCommand&) = delete;
  WebhooksCommand& operator=(const WebhooksCommand&) = delete;

  bool chosen() const { return command_->parsed(); }

  // Exit code: 0; 1 when the command failed (reason on stderr); 2 for a bad configuration.
  int run();

 private:
  CLI::App* command_;
  CLI::App* list_;
  CLI::App* create_;
  CLI::App* delete_;
  core::ConfigSources list_sources_;
  core::ConfigSources create_sources_;
  core::ConfigSources delete_sources_;
  std::string url_;
  std::string secret_;
  std::string filter_;
  std::vector<std::string> collections_;
  std::vector<std::string> actions_;
  int max_attempts_ = 0;
  std::string id_;
};

}  // namespace basalt::cli
