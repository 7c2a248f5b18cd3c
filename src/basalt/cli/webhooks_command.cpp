#include "basalt/cli/webhooks_command.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <iostream>

#include "basalt/app/admin_commands.hpp"
#include "basalt/cli/exit_codes.hpp"
#include "basalt/cli/settings_flags.hpp"
#include "basalt/core/logging.hpp"

namespace basalt::cli {

WebhooksCommand::WebhooksCommand(CLI::App& root)
    : command_(root.add_subcommand("webhooks", "List, create or delete webhook endpoints")) {
  command_->require_subcommand(1);
  list_ = command_->add_subcommand("list", "Print every webhook endpoint as JSON");
  add_setting_flags(*list_, list_sources_);

  create_ = command_->add_subcommand(
      "create", "Create a webhook endpoint; prints it with its secret (shown only now)");
  create_->add_option("--url", url_, "The endpoint, http:// or https://")->required();
  create_->add_option("--secret", secret_, "whsec_...; generated when omitted");
  create_->add_option("--collections", collections_, "Collection names or ids; all when omitted")
      ->delimiter(',');
  create_->add_option("--actions", actions_, "create, update, delete; all when omitted")
      ->delimiter(',');
  create_->add_option("--filter", filter_, "A filter on the record (docs/filters.md)");
  create_->add_option("--max-attempts", max_attempts_, "Attempts before a dead letter (1-50)");
  add_setting_flags(*create_, create_sources_);

  delete_ = command_->add_subcommand("delete", "Delete a webhook endpoint and its delivery log");
  delete_->add_option("id", id_, "The endpoint's id")->required();
  add_setting_flags(*delete_, delete_sources_);
}

int WebhooksCommand::run() {
  core::ConfigSources& sources = list_->parsed()     ? list_sources_
                                 : create_->parsed() ? create_sources_
                                                     : delete_sources_;
  std::vector<std::string> warnings;
  auto config = load_command_config(sources, warnings);
  if (!config) return kExitUsage;
  core::init_logging(config->log_format, core::LogLevel::kWarn);
  log_config_warnings(warnings);
  if (list_->parsed()) {
    return app::run_admin_command(*config, {app::kWebhooksList, {}}, std::cout, std::cerr);
  }
  if (delete_->parsed()) {
    return app::run_admin_command(*config, {app::kWebhooksDelete, {id_}}, std::cout, std::cerr);
  }
  boost::json::object body{{"url", url_}};
  if (!secret_.empty()) body["secret"] = secret_;
  if (!filter_.empty()) body["filter"] = filter_;
  if (max_attempts_ != 0) body["maxAttempts"] = max_attempts_;
  boost::json::array collections(collections_.begin(), collections_.end());
  body["collections"] = std::move(collections);
  boost::json::array actions(actions_.begin(), actions_.end());
  body["actions"] = std::move(actions);
  return app::run_admin_command(*config, {app::kWebhooksCreate, {boost::json::serialize(body)}},
                                std::cout, std::cerr);
}

}  // namespace basalt::cli
