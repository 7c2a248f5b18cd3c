#include "basalt/cli/settings_flags.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <memory>

#include "basalt/core/config_settings.hpp"

namespace basalt::cli {
namespace {

constexpr std::size_t kFlagColumnWidth = 36;  // fits "--log-level debug|info|warn|error"
constexpr std::size_t kHelpTextWidth = 64;    // keeps help within 100 columns

// Breaks `text` into lines of at most `width` characters at spaces (a longer word stays whole).
std::string wrap(std::string_view text, std::size_t width) {
  std::string out;
  std::size_t line_length = 0;
  while (!text.empty()) {
    std::size_t space = text.find(' ');
    std::string_view word = text.substr(0, space);
    text = space == std::string_view::npos ? std::string_view{} : text.substr(space + 1);
    if (word.empty()) continue;
    if (line_length > 0 && line_length + 1 + word.size() > width) {
      out += '\n';
      line_length = 0;
    } else if (line_length > 0) {
      out += ' ';
      ++line_length;
    }
    out += word;
    line_length += word.size();
  }
  return out;
}

// Markdown code spans read fine without their backticks in a terminal.
std::string plain(std::string_view markdown) {
  std::string out;
  for (char c : markdown) {
    if (c != '`') out += c;
  }
  return out;
}

std::string flag_help(const core::Setting& setting) {
  return wrap(fmt::format("{} [default: {}] [env: {}]", setting.doc,
                          setting.default_text.empty() ? "empty" : setting.default_text,
                          core::env_var_name(setting.name)),
              kHelpTextWidth);
}

std::string settings_footer() {
  std::string out = wrap(
      "Each setting can also come from its environment variable or, without the leading --, "
      "from a key in the TOML config file. Precedence: flag > environment > file > default.",
      kFlagColumnWidth + kHelpTextWidth);
  out += "\n\nValue syntax:\n";
  for (const core::ValueType& type : core::value_types()) {
    std::string indent(kFlagColumnWidth, ' ');
    std::string text = wrap(plain(type.syntax), kHelpTextWidth);
    std::string indented;
    for (char c : text) {
      indented += c;
      if (c == '\n') indented += indent;
    }
    out += fmt::format("  {:<{}}{}\n", type.name, kFlagColumnWidth - 2, indented);
  }
  return out;
}

}  // namespace

void add_setting_flags(CLI::App& command, core::ConfigSources& sources) {
  auto formatter = std::make_shared<CLI::Formatter>();  // own one: the parent's is shared
  formatter->column_width(kFlagColumnWidth);
  command.formatter(formatter);
  for (const core::Setting& setting : core::config_settings()) {
    std::string name(setting.name);
    command
        .add_option_function<std::string>(
            "--" + name, [&sources, name](const std::string& text) { sources.flags[name] = text; },
            flag_help(setting))
        ->type_name(std::string(setting.type))
        ->group("Settings");
  }
  command.footer(settings_footer());
}

std::vector<std::string> process_environment() {
  std::vector<std::string> out;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    out.emplace_back(*entry);
  }
  return out;
}

std::optional<core::Config> load_command_config(core::ConfigSources& sources,
                                                std::vector<std::string>& warnings) {
  sources.environment = process_environment();
  try {
    return core::load_config(sources, &warnings);
  } catch (const core::ConfigError& error) {
    fmt::print(stderr, "basalt: {}\n", error.what());
    return std::nullopt;
  }
}

void log_config_warnings(const std::vector<std::string>& warnings) {
  for (const std::string& warning : warnings) spdlog::warn("{}", warning);
}

}  // namespace basalt::cli
