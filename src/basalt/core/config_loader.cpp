#include "basalt/core/config_loader.hpp"

#include <fmt/format.h>

#include <toml++/toml.h>
#include <algorithm>
#include <optional>
#include <string_view>
#include <thread>

#include "basalt/core/config_settings.hpp"

namespace basalt::core {
namespace {

struct Assignment {
  const Setting* setting;
  std::string source;  // "--threads", "BASALT_THREADS", "basalt.toml:3", "default"
  std::string text;
};

struct ConfigFile {
  std::filesystem::path path;
  std::string source;  // where the path came from
};

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  std::size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(kSpace) - begin + 1);
}

[[noreturn]] void fail_value(const Setting& setting, std::string_view source,
                             std::string_view problem) {
  throw ConfigError(
      fmt::format("invalid value for {} (from {}): {}", setting.name, source, problem));
}

void apply(Config& config, const Assignment& assignment) {
  try {
    assignment.setting->set(config, trim(assignment.text));
  } catch (const ConfigError& error) {
    fail_value(*assignment.setting, assignment.source, error.what());
  }
}

// " (did you mean --max-body-bytes?)", with the prefix the source spells names with.
std::string hint(std::string_view unknown_name, std::string_view prefix) {
  std::optional<std::string_view> close = closest_setting(unknown_name);
  if (!close) return {};
  return fmt::format(" (did you mean {}{}?)", prefix, *close);
}

// The warning for a BASALT_* variable that names no setting. Its value is never read (it may
// be a Kubernetes service address such as tcp://10.0.0.1:8090, or a secret).
std::string unknown_variable_warning(std::string_view name) {
  std::string_view suffix = name.substr(kEnvPrefix.size());
  return fmt::format("ignoring unknown environment variable {} (not a setting; the nearest is {})",
                     name, env_var_name(nearest_setting(suffix)));
}

std::vector<Assignment> read_environment(const std::vector<std::string>& environment,
                                         std::vector<std::string>& warnings) {
  std::vector<Assignment> out;
  for (const std::string& entry : environment) {
    std::size_t equals = entry.find('=');
    if (!entry.starts_with(kEnvPrefix) || equals == std::string::npos) continue;
    std::string name = entry.substr(0, equals);
    auto row = std::find_if(config_settings().begin(), config_settings().end(),
                            [&](const Setting& s) { return env_var_name(s.name) == name; });
    if (row == config_settings().end()) {
      warnings.push_back(unknown_variable_warning(name));
      continue;
    }
    out.push_back({&*row, name, entry.substr(equals + 1)});
  }
  return out;
}

std::vector<Assignment> read_flags(const ConfigSources& sources) {
  std::vector<Assignment> out;
  for (const auto& [name, text] : sources.flags) {
    const Setting* setting = find_setting(name);
    if (setting == nullptr) {
      throw ConfigError(fmt::format("unknown flag --{}{}", name, hint(name, "--")));
    }
    out.push_back({setting, fmt::format("--{}", name), text});
  }
  return out;
}

// The file named by the last `config` assignment, else the default file if it exists.
std::optional<ConfigFile> choose_config_file(const ConfigSources& sources,
                                             const std::vector<Assignment>& named) {
  const Setting& row = *find_setting(kConfigSetting);
  auto last = std::find_if(named.rbegin(), named.rend(),
                           [&](const Assignment& a) { return a.setting == &row; });
  if (last == named.rend()) {
    std::filesystem::path fallback =
        (sources.default_config_dir / row.default_text).lexically_normal();
    if (!std::filesystem::exists(fallback)) return std::nullopt;
    return ConfigFile{fallback, "default"};
  }
  std::string_view path = trim(last->text);
  if (path.empty()) return std::nullopt;
  if (!std::filesystem::exists(path)) {
    fail_value(row, last->source, fmt::format("file \"{}\" does not exist", path));
  }
  if (std::filesystem::is_directory(path)) {  // would read as an empty file
    fail_value(row, last->source, fmt::format("\"{}\" is a directory, not a file", path));
  }
  return ConfigFile{std::filesystem::path(path), last->source};
}

std::string_view node_kind(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "an unsupported value";
  }
}

// The TOML value as the text a flag would carry; throws ConfigError (text problem only).
std::string toml_text(const Setting& setting, const toml::node& node) {
  if (const auto* text = node.as_string()) return text->get();
  if (const auto* number = node.as_integer()) return std::to_string(number->get());
  if (const auto* flag = node.as_boolean()) return flag->get() ? "true" : "false";
  if (const auto* array = node.as_array()) {
    if (setting.type != kListType) throw ConfigError("expected a single value, not an array");
    std::string joined;
    for (const toml::node& item : *array) {
      const auto* text = item.as_string();
      if (text == nullptr) throw ConfigError("array entries must be strings");
      if (!joined.empty()) joined += ',';
      joined += text->get();
    }
    return joined;
  }
  throw ConfigError(fmt::format("expected a string, integer or boolean, not {}", node_kind(node)));
}

std::vector<Assignment> read_toml(const ConfigFile& file) {
  std::string path = file.path.string();
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& error) {
    const toml::source_position& at = error.source().begin;
    throw ConfigError(fmt::format("invalid config file \"{}\" (from {}): {} (line {}, column {})",
                                  path, file.source, error.description(), at.line, at.column));
  }
  std::vector<Assignment> out;
  for (const auto& [key, node] : table) {
    std::string source = fmt::format("{}:{}", path, key.source().begin.line);
    const Setting* setting = find_setting(key.str());
    if (setting == nullptr) {
      throw ConfigError(
          fmt::format("unknown setting \"{}\" in {}{}", key.str(), source, hint(key.str(), "")));
    }
    if (setting->set == nullptr) {
      throw ConfigError(
          fmt::format("\"{}\" cannot be set inside a config file ({}); use --{} or {}", key.str(),
                      source, kConfigSetting, env_var_name(kConfigSetting)));
    }
    try {
      out.push_back({setting, source, toml_text(*setting, node)});
    } catch (const ConfigError& error) {
      fail_value(*setting, source, error.what());
    }
  }
  return out;
}

unsigned resolve_threads(unsigned threads) {
  if (threads != 0) return threads;
  return std::clamp(std::thread::hardware_concurrency(), 1u, kMaxThreads);
}

}  // namespace

Config load_config(const ConfigSources& sources, std::vector<std::string>* warnings) {
  Config config;
  for (const Setting& setting : config_settings()) {
    if (setting.set != nullptr) {
      apply(config, {&setting, "default", std::string(setting.default_text)});
    }
  }
  std::vector<std::string> tolerated;
  std::vector<Assignment> env = read_environment(sources.environment, tolerated);
  std::vector<Assignment> flags = read_flags(sources);

  std::vector<Assignment> named = env;  // who names the config file: flag beats env
  named.insert(named.end(), flags.begin(), flags.end());
  std::optional<ConfigFile> file = choose_config_file(sources, named);
  if (file) {
    for (const Assignment& assignment : read_toml(*file)) apply(config, assignment);
  }
  for (const auto* layer : {&env, &flags}) {
    for (const Assignment& assignment : *layer) {
      if (assignment.setting->set != nullptr) apply(config, assignment);
    }
  }
  config.threads = resolve_threads(config.threads);
  if (warnings != nullptr) warnings->insert(warnings->end(), tolerated.begin(), tolerated.end());
  return config;
}

}  // namespace basalt::core
