#include "basalt/cli/collections_command.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "basalt/app/collections_io.hpp"
#include "basalt/cli/exit_codes.hpp"
#include "basalt/cli/settings_flags.hpp"
#include "basalt/core/logging.hpp"

namespace basalt::cli {
namespace {

// An import file is a schema, not data: anything near this size is a mistake.
constexpr std::uintmax_t kMaxImportFileBytes = 32u << 20;

}  // namespace

CollectionsCommand::CollectionsCommand(CLI::App& root)
    : command_(root.add_subcommand("collections", "Export or import collection definitions")) {
  command_->require_subcommand(1);
  export_ = command_->add_subcommand(
      "export", "Write every collection definition as JSON (to FILE, or stdout)");
  export_->add_option("file", export_file_, "Output file; stdout when omitted or '-'");
  add_setting_flags(*export_, export_sources_);

  import_ = command_->add_subcommand(
      "import", "Create or update collections from a JSON file, all or nothing");
  import_
      ->add_option("file", import_file_, "A JSON array of collections, or {\"collections\":[...]}")
      ->required();
  import_->add_flag("--delete-missing", delete_missing_,
                    "Also delete the non-system collections the file does not list");
  add_setting_flags(*import_, import_sources_);
}

int CollectionsCommand::run() {
  if (export_->parsed()) {
    std::vector<std::string> warnings;
    auto config = load_command_config(export_sources_, warnings);
    if (!config) return kExitUsage;
    core::init_logging(config->log_format, core::LogLevel::kWarn);
    log_config_warnings(warnings);
    if (export_file_.empty() || export_file_ == "-") {
      return app::export_collections(*config, std::cout, std::cerr);
    }
    std::ostringstream text;
    int code = app::export_collections(*config, text, std::cerr);
    if (code != kExitOk) return code;
    std::ofstream out(export_file_, std::ios::binary | std::ios::trunc);
    out << text.str();
    if (!out.flush()) {
      fmt::print(stderr, "basalt: cannot write {}\n", export_file_);
      return kExitFailure;
    }
    return kExitOk;
  }

  std::vector<std::string> warnings;
  auto config = load_command_config(import_sources_, warnings);
  if (!config) return kExitUsage;
  core::init_logging(config->log_format, core::LogLevel::kWarn);
  log_config_warnings(warnings);
  std::error_code size_error;
  auto size = std::filesystem::file_size(import_file_, size_error);
  if (size_error) {
    fmt::print(stderr, "basalt: cannot read {}: {}\n", import_file_, size_error.message());
    return kExitFailure;
  }
  if (size > kMaxImportFileBytes) {
    fmt::print(stderr, "basalt: {} is larger than {} MiB\n", import_file_,
               kMaxImportFileBytes >> 20);
    return kExitFailure;
  }
  std::ifstream in(import_file_, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) {
    fmt::print(stderr, "basalt: cannot read {}\n", import_file_);
    return kExitFailure;
  }
  int code = app::import_collections(*config, text.str(), delete_missing_, std::cerr);
  if (code == kExitOk) fmt::print(stderr, "basalt: imported {}\n", import_file_);
  return code;
}

}  // namespace basalt::cli
