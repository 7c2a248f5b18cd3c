#include "basalt/cli/root_command.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "basalt/cli/collections_command.hpp"
#include "basalt/cli/exit_codes.hpp"
#include "basalt/cli/serve_command.hpp"
#include "basalt/cli/superuser_command.hpp"
#include "basalt/cli/webhooks_command.hpp"
#include "basalt/core/config_settings.hpp"

namespace basalt::cli {
namespace {

constexpr const char* kVersionLine = "basalt " BASALT_VERSION;

int parse_and_run(int argc, char** argv, app::ServeExtension* extension) {
  CLI::App root("Basalt: a complete backend (REST API, auth, realtime, files) in one binary.",
                "basalt");
  root.set_version_flag("--version", kVersionLine);

  ServeCommand serve(root);
  CollectionsCommand collections(root);
  SuperuserCommand superuser(root);
  WebhooksCommand webhooks(root);
  CLI::App* version = root.add_subcommand("version", "Print the version");
  CLI::App* config = root.add_subcommand("config", "Configuration tools")->group("");
  CLI::App* config_docs =
      config->add_subcommand("docs", "Print the settings reference in Markdown");
  config->require_subcommand(1);

  try {
    root.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = root.exit(error);  // prints help/version, or the error and a hint
    return code == static_cast<int>(CLI::ExitCodes::Success) ? kExitOk : kExitUsage;
  }

  if (serve.chosen()) return serve.run(extension);
  if (collections.chosen()) return collections.run();
  if (superuser.chosen()) return superuser.run();
  if (webhooks.chosen()) return webhooks.run();
  if (version->parsed()) {
    fmt::print("{}\n", kVersionLine);
    return kExitOk;
  }
  if (config_docs->parsed()) {
    fmt::print("{}", core::settings_markdown());
    return kExitOk;
  }
  fmt::print(stderr, "{}", root.help());
  return kExitUsage;
}

}  // namespace

int run(int argc, char** argv, app::ServeExtension* extension) {
  try {
    return parse_and_run(argc, argv, extension);
  } catch (const std::exception& error) {
    fmt::print(stderr, "basalt: {}\n", error.what());
    return kExitFailure;
  }
}

}  // namespace basalt::cli
