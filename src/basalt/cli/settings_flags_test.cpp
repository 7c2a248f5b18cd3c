// The settings flags: every row of the table is a flag, and given flags reach load_config with
// their text unchanged, so flag > env precedence holds end to end.
#include "basalt/cli/settings_flags.hpp"

#include <gtest/gtest.h>

#include <iterator>

#include "basalt/core/config_settings.hpp"

namespace basalt::cli {
namespace {

TEST(SettingsFlags, EverySettingIsAFlagInTheHelp) {
  CLI::App command("test");
  core::ConfigSources sources;
  add_setting_flags(command, sources);
  std::string help = command.help();
  for (const core::Setting& setting : core::config_settings()) {
    std::string flag = "--" + std::string(setting.name);
    EXPECT_NE(command.get_option_no_throw(flag), nullptr) << flag;
    EXPECT_NE(help.find(flag), std::string::npos) << flag;
    EXPECT_NE(help.find(core::env_var_name(setting.name)), std::string::npos) << setting.name;
  }
}

TEST(SettingsFlags, GivenFlagsReachLoadConfigAndBeatTheEnvironment) {
  CLI::App command("test");
  core::ConfigSources sources;
  add_setting_flags(command, sources);
  // argv form: CLI11's string form drops empty arguments such as "".
  const char* argv[] = {"basalt", "--http=0.0.0.0:0", "--threads", "2", "--cors-origins",
                        "",       "--config",         ""};
  command.parse(static_cast<int>(std::size(argv)), argv);
  EXPECT_EQ(sources.flags.size(), 4u);
  EXPECT_EQ(sources.flags.at("cors-origins"), "");

  sources.environment = {"BASALT_THREADS=7", "BASALT_LOG_FORMAT=json"};
  core::Config config = core::load_config(sources);
  EXPECT_EQ(config.http_host, "0.0.0.0");
  EXPECT_EQ(config.http_port, 0);
  EXPECT_EQ(config.threads, 2u);
  EXPECT_TRUE(config.cors_origins.empty());
  EXPECT_EQ(config.log_format, core::LogFormat::kJson);
}

TEST(SettingsFlags, UnknownFlagIsAParseError) {
  CLI::App command("test");
  core::ConfigSources sources;
  add_setting_flags(command, sources);
  EXPECT_THROW(command.parse("--no-such-setting 1", false), CLI::ParseError);
}

}  // namespace
}  // namespace basalt::cli
