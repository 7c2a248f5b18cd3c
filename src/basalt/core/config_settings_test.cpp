// The settings table and load_config: precedence (default < file < env < flag), every error
// path naming its key and source, and docs/configuration.md staying in step with the table.
#include "basalt/core/config_settings.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "basalt/core/config_loader.hpp"
#include "basalt/core/testing/source_dir.hpp"

namespace basalt::core {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

class LoadConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("basalt_config_settings_test_" + std::to_string(getpid()) + "_" + test->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    // Never pick up a basalt.toml from wherever the test runs.
    sources_.default_config_dir = dir_;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes `text` to `name` in the test's directory and returns the path.
  std::string write_file(const std::string& name, const std::string& text) {
    fs::path path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  // The ConfigError message of load_config(sources_), or "" when it succeeds.
  std::string load_error() {
    try {
      load_config(sources_);
    } catch (const ConfigError& error) {
      return error.what();
    }
    return "";
  }

  fs::path dir_;
  ConfigSources sources_;
};

TEST_F(LoadConfigTest, DefaultsOnly) {
  Config config = load_config(sources_);
  EXPECT_EQ(config.http_host, "127.0.0.1");
  EXPECT_EQ(config.http_port, 8090);
  EXPECT_EQ(config.data_dir, "./basalt_data");
  EXPECT_GE(config.threads, 1u);
  EXPECT_LE(config.threads, kMaxThreads);
  EXPECT_EQ(config.log_format, LogFormat::kText);
  EXPECT_EQ(config.log_level, LogLevel::kInfo);
  EXPECT_TRUE(config.access_log);
  EXPECT_EQ(config.limits.max_header_bytes, 16u * 1024);
  EXPECT_EQ(config.limits.max_body_bytes, 32u * 1024 * 1024);
  EXPECT_EQ(config.limits.header_timeout, seconds(10));
  EXPECT_EQ(config.limits.body_timeout, seconds(120));
  EXPECT_EQ(config.limits.idle_timeout, seconds(60));
  EXPECT_EQ(config.limits.write_timeout, seconds(30));
  EXPECT_EQ(config.limits.max_connections, 10000u);
  EXPECT_EQ(config.shutdown_timeout, seconds(10));
  EXPECT_EQ(config.cors_origins, std::vector<std::string>{"*"});
  EXPECT_EQ(config.gzip_min_bytes, 1024u);
  EXPECT_EQ(config.db.statement_timeout, seconds(5));
  EXPECT_EQ(config.db.cache_bytes, 4u * 1024 * 1024);
  EXPECT_EQ(config.db.mmap_bytes, 256u * 1024 * 1024);
}

TEST_F(LoadConfigTest, DefaultFileOverridesDefaults) {
  write_file("basalt.toml",
             "http = \"0.0.0.0:9000\"\n"
             "threads = 3\n"
             "max-body-bytes = 2048\n"
             "header-timeout = 5\n"
             "access-log = false\n"
             "log-format = \"json\"\n"
             "cors-origins = [\"https://a.com\", \"https://b.com:8443\"]\n");
  Config config = load_config(sources_);
  EXPECT_EQ(config.http_host, "0.0.0.0");
  EXPECT_EQ(config.http_port, 9000);
  EXPECT_EQ(config.threads, 3u);
  EXPECT_EQ(config.limits.max_body_bytes, 2048u);
  EXPECT_EQ(config.limits.header_timeout, seconds(5));
  EXPECT_FALSE(config.access_log);
  EXPECT_EQ(config.log_format, LogFormat::kJson);
  EXPECT_EQ(config.cors_origins, (std::vector<std::string>{"https://a.com", "https://b.com:8443"}));
  EXPECT_EQ(config.data_dir, "./basalt_data");  // untouched settings keep their defaults
}

TEST_F(LoadConfigTest, EnvOverridesFile) {
  write_file("basalt.toml", "http = \"0.0.0.0:9000\"\nthreads = 3\n");
  sources_.environment = {"BASALT_HTTP=127.0.0.1:9001", "BASALT_DIR=/srv/data"};
  Config config = load_config(sources_);
  EXPECT_EQ(config.http_port, 9001);
  EXPECT_EQ(config.data_dir, "/srv/data");
  EXPECT_EQ(config.threads, 3u);
}

TEST_F(LoadConfigTest, FlagOverridesEnv) {
  write_file("basalt.toml", "http = \"0.0.0.0:9000\"\nthreads = 3\nidle-timeout = \"5s\"\n");
  sources_.environment = {"BASALT_HTTP=127.0.0.1:9001", "BASALT_THREADS=4"};
  sources_.flags = {{"http", "[::1]:9002"}};
  Config config = load_config(sources_);
  EXPECT_EQ(config.http_host, "::1");
  EXPECT_EQ(config.http_port, 9002);
  EXPECT_EQ(config.threads, 4u);
  EXPECT_EQ(config.limits.idle_timeout, seconds(5));
}

// `db` from each source, and a bad value's error names the source but not the password.
TEST_F(LoadConfigTest, DatabaseUrlFromEachSource) {
  EXPECT_EQ(load_config(sources_).database_url, "");  // SQLite in the data directory
  write_file("basalt.toml", "db = \"postgres://basalt@file/app\"\n");
  EXPECT_EQ(load_config(sources_).database_url, "postgres://basalt@file/app");
  sources_.environment = {"BASALT_DB=postgresql://basalt:pw@env/app"};
  EXPECT_EQ(load_config(sources_).database_url, "postgresql://basalt:pw@env/app");
  sources_.flags = {{"db", ""}};  // an empty flag is SQLite again
  EXPECT_EQ(load_config(sources_).database_url, "");
  sources_.flags = {{"db", "mysql://root:hunter2@db/app"}};
  const std::string error = load_error();
  EXPECT_NE(error.find("--db"), std::string::npos) << error;
  EXPECT_EQ(error.find("hunter2"), std::string::npos) << error;
}

TEST_F(LoadConfigTest, ConfigFlagBeatsConfigEnvAndDefaultFile) {
  write_file("basalt.toml", "threads = 1\n");
  std::string from_env = write_file("env.toml", "threads = 2\n");
  std::string from_flag = write_file("flag.toml", "threads = 3\n");
  sources_.environment = {"BASALT_CONFIG=" + from_env};
  EXPECT_EQ(load_config(sources_).threads, 2u);
  sources_.flags = {{"config", from_flag}};
  EXPECT_EQ(load_config(sources_).threads, 3u);
}

TEST_F(LoadConfigTest, EmptyConfigNameSkipsTheDefaultFile) {
  write_file("basalt.toml", "this is not toml\n");
  sources_.flags = {{"config", ""}};
  EXPECT_EQ(load_config(sources_).http_port, 8090);
}

TEST_F(LoadConfigTest, ValuesAreTrimmedAndOtherVariablesIgnored) {
  sources_.environment = {"PATH=/bin", "BASALT", "basalt_http=nonsense", "BASALT_THREADS= 4 \n"};
  EXPECT_EQ(load_config(sources_).threads, 4u);
}

TEST_F(LoadConfigTest, DatabaseSettings) {
  write_file("basalt.toml", "db-cache-size = \"8MiB\"\n");
  sources_.environment = {"BASALT_DB_MMAP_SIZE=0"};
  sources_.flags = {{"db-statement-timeout", "250ms"}};
  Config config = load_config(sources_);
  EXPECT_EQ(config.db.cache_bytes, 8u * 1024 * 1024);
  EXPECT_EQ(config.db.mmap_bytes, 0u);
  EXPECT_EQ(config.db.statement_timeout, milliseconds(250));
}

TEST_F(LoadConfigTest, Argon2ParametersDefaultToOwaspSafeValuesAndStayWithinTheHashersRange) {
  Config defaults = load_config(sources_);
  EXPECT_EQ(defaults.auth.argon2_memory_bytes, 32u * 1024 * 1024);
  EXPECT_EQ(defaults.auth.argon2_passes, 3u);
  sources_.environment = {"BASALT_AUTH_ARGON2_MEMORY=64KiB", "BASALT_AUTH_ARGON2_PASSES=1"};
  Config cheap = load_config(sources_);
  EXPECT_EQ(cheap.auth.argon2_memory_bytes, 64u * 1024);
  EXPECT_EQ(cheap.auth.argon2_passes, 1u);
  for (const char* memory : {"4KiB", "257MiB", "10000"}) {
    sources_.environment = {std::string("BASALT_AUTH_ARGON2_MEMORY=") + memory};
    EXPECT_NE(load_error().find("invalid value for auth-argon2-memory"), std::string::npos)
        << memory;
  }
  for (const char* passes : {"0", "17"}) {
    sources_.environment = {std::string("BASALT_AUTH_ARGON2_PASSES=") + passes};
    EXPECT_NE(load_error().find("invalid value for auth-argon2-passes"), std::string::npos)
        << passes;
  }
}

TEST_F(LoadConfigTest, EmptyOriginListTurnsCorsOff) {
  sources_.flags = {{"cors-origins", ""}};
  EXPECT_TRUE(load_config(sources_).cors_origins.empty());
}

TEST_F(LoadConfigTest, OverriddenBadValueStillStopsStartup) {
  write_file("basalt.toml", "threads = \"many\"\n");
  sources_.flags = {{"threads", "2"}};
  EXPECT_NE(load_error().find("invalid value for threads"), std::string::npos);
}

TEST_F(LoadConfigTest, ErrorUnknownTomlKeyNamesKeyAndFile) {
  std::string path = write_file("basalt.toml", "http = \"0.0.0.0:1\"\nmax_body_bytes = 1\n");
  EXPECT_EQ(load_error(),
            "unknown setting \"max_body_bytes\" in " + path + ":2 (did you mean max-body-bytes?)");
}

TEST_F(LoadConfigTest, ErrorConfigKeyInsideTomlFile) {
  write_file("basalt.toml", "config = \"other.toml\"\n");
  std::string error = load_error();
  EXPECT_NE(error.find("\"config\" cannot be set inside a config file"), std::string::npos);
}

TEST_F(LoadConfigTest, UnknownBasaltVariableWarnsWithTheNearestSetting) {
  sources_.environment = {"BASALT_HTPP=127.0.0.1:1", "BASALT_THREADS=3"};
  std::vector<std::string> warnings;
  Config config = load_config(sources_, &warnings);
  EXPECT_EQ(config.threads, 3u);
  EXPECT_EQ(config.http_port, 8090);  // the misspelt variable is not read
  EXPECT_EQ(warnings,
            std::vector<std::string>{"ignoring unknown environment variable BASALT_HTPP (not a "
                                     "setting; the nearest is BASALT_HTTP)"});
}

TEST_F(LoadConfigTest, KubernetesServiceVariablesOnlyWarn) {
  // What Kubernetes injects for a Service named "basalt": none of them is a setting, and the
  // values (service addresses) must not be parsed.
  sources_.environment = {"BASALT_PORT=tcp://10.0.0.1:8090", "BASALT_SERVICE_HOST=10.0.0.1",
                          "BASALT_SERVICE_PORT=8090", "BASALT_PORT_8090_TCP=tcp://10.0.0.1:8090",
                          "BASALT_PORT_8090_TCP_PROTO=tcp"};
  std::vector<std::string> warnings;
  Config config = load_config(sources_, &warnings);
  EXPECT_EQ(config.http_port, 8090);
  ASSERT_EQ(warnings.size(), 5u);
  for (std::size_t i = 0; i < warnings.size(); ++i) {
    std::string name = sources_.environment[i].substr(0, sources_.environment[i].find('='));
    EXPECT_TRUE(warnings[i].starts_with("ignoring unknown environment variable " + name +
                                        " (not a setting; the nearest is BASALT_"))
        << warnings[i];
    EXPECT_EQ(warnings[i].find("10.0.0.1"), std::string::npos);  // values stay unlogged
  }
}

TEST(SettingsTable, NearestSettingAlwaysNamesOne) {
  EXPECT_EQ(nearest_setting("HTPP"), "http");
  EXPECT_EQ(nearest_setting("treads"), "threads");
  EXPECT_EQ(nearest_setting("PORT"), "dir");  // three edits; closest_setting would say none
  EXPECT_EQ(closest_setting("PORT"), std::nullopt);
}

TEST_F(LoadConfigTest, UnknownPortFlagStaysAnError) {
  sources_.flags = {{"port", "8090"}};
  EXPECT_EQ(load_error(), "unknown flag --port");
}

TEST_F(LoadConfigTest, ErrorUnknownFlag) {
  sources_.flags = {{"thread", "2"}};
  EXPECT_EQ(load_error(), "unknown flag --thread (did you mean --threads?)");
}

TEST_F(LoadConfigTest, ErrorBadSizeNamesKeyAndVariable) {
  sources_.environment = {"BASALT_MAX_BODY_BYTES=12XB"};
  EXPECT_EQ(load_error(),
            "invalid value for max-body-bytes (from BASALT_MAX_BODY_BYTES): \"12XB\" is not a "
            "size (use bytes or a KiB/MiB/GiB suffix)");
}

TEST_F(LoadConfigTest, ErrorSizeBelowMinimum) {
  sources_.flags = {{"max-header-bytes", "100"}};
  EXPECT_EQ(load_error(),
            "invalid value for max-header-bytes (from --max-header-bytes): \"100\" is below the "
            "minimum of 1KiB");
}

TEST_F(LoadConfigTest, ErrorBadDurationNamesKeyAndFileLine) {
  std::string path = write_file("basalt.toml", "\nheader-timeout = \"1.5s\"\n");
  std::string error = load_error();
  EXPECT_EQ(error.rfind("invalid value for header-timeout (from " + path + ":2): \"1.5s\"", 0), 0u)
      << error;
}

TEST_F(LoadConfigTest, ErrorBadBool) {
  sources_.flags = {{"access-log", "maybe"}};
  EXPECT_EQ(load_error(),
            "invalid value for access-log (from --access-log): \"maybe\" is not a boolean (use "
            "true/false, yes/no or 1/0)");
}

TEST_F(LoadConfigTest, ErrorBadEnum) {
  sources_.environment = {"BASALT_LOG_LEVEL=verbose"};
  EXPECT_EQ(load_error(),
            "invalid value for log-level (from BASALT_LOG_LEVEL): \"verbose\" is not one of "
            "debug|info|warn|error");
}

TEST_F(LoadConfigTest, ErrorBadAddress) {
  sources_.flags = {{"http", "localhost:8090"}};
  EXPECT_EQ(load_error().rfind("invalid value for http (from --http): \"localhost:8090\"", 0), 0u);
}

TEST_F(LoadConfigTest, ErrorBadOriginInTomlArray) {
  std::string path = write_file("basalt.toml", "cors-origins = [\"https://a.com/app\"]\n");
  EXPECT_EQ(load_error().rfind("invalid value for cors-origins (from " + path +
                                   ":1): \"https://a.com/app\" is not an origin",
                               0),
            0u);
}

TEST_F(LoadConfigTest, ErrorThreadsAboveCap) {
  sources_.flags = {{"threads", "257"}};
  EXPECT_EQ(load_error(),
            "invalid value for threads (from --threads): \"257\" is out of range (0 to 256)");
}

TEST_F(LoadConfigTest, ErrorWrongTomlTypes) {
  write_file("basalt.toml", "header-timeout = 1.5\n");
  EXPECT_NE(load_error().find("header-timeout (from "), std::string::npos);
  EXPECT_NE(load_error().find("not a floating-point number"), std::string::npos);
  write_file("basalt.toml", "http = [\"127.0.0.1:1\"]\n");
  EXPECT_NE(load_error().find("invalid value for http"), std::string::npos);
  write_file("basalt.toml", "cors-origins = [1]\n");
  EXPECT_NE(load_error().find("cors-origins"), std::string::npos);
  write_file("basalt.toml", "[http]\nport = 1\n");
  EXPECT_NE(load_error().find("invalid value for http"), std::string::npos);
}

TEST_F(LoadConfigTest, ErrorMissingExplicitConfigFile) {
  std::string missing = (dir_ / "missing.toml").string();
  sources_.flags = {{"config", missing}};
  EXPECT_EQ(load_error(),
            "invalid value for config (from --config): file \"" + missing + "\" does not exist");
  sources_.flags.clear();
  sources_.environment = {"BASALT_CONFIG=" + missing};
  EXPECT_NE(load_error().find("(from BASALT_CONFIG)"), std::string::npos);
  sources_.environment = {"BASALT_CONFIG=" + dir_.string()};
  EXPECT_EQ(load_error(), "invalid value for config (from BASALT_CONFIG): \"" + dir_.string() +
                              "\" is a directory, not a file");
}

TEST_F(LoadConfigTest, ErrorMalformedTomlNamesFileAndLine) {
  std::string path = write_file("bad.toml", "threads = 2\nhttp = \n");
  sources_.flags = {{"config", path}};
  std::string error = load_error();
  EXPECT_EQ(error.rfind("invalid config file \"" + path + "\" (from --config): ", 0), 0u) << error;
  EXPECT_NE(error.find("line 2"), std::string::npos) << error;
}

TEST(SettingsTable, NamesAreUniqueAndMapToEnvironmentNames) {
  std::set<std::string_view> names;
  std::set<std::string> env_names;
  for (const Setting& setting : config_settings()) {
    EXPECT_TRUE(names.insert(setting.name).second) << setting.name;
    EXPECT_TRUE(env_names.insert(env_var_name(setting.name)).second) << setting.name;
    // Lower-case words and digits (oauth2-...) joined by '-': a flag, a TOML bare key and, upper-
    // cased with '_', an environment variable name alike.
    EXPECT_TRUE(setting.name.front() >= 'a' && setting.name.front() <= 'z') << setting.name;
    for (char c : setting.name) {
      EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') << setting.name;
    }
    EXPECT_EQ(find_setting(setting.name), &setting);
    EXPECT_FALSE(setting.doc.empty()) << setting.name;
    EXPECT_EQ(setting.set == nullptr, setting.name == kConfigSetting) << setting.name;
  }
  EXPECT_EQ(env_var_name("max-body-bytes"), "BASALT_MAX_BODY_BYTES");
  EXPECT_EQ(find_setting("nope"), nullptr);
}

TEST(SettingsTable, EveryTypeIsDocumentedOrAnEnum) {
  for (const Setting& setting : config_settings()) {
    bool documented = false;
    for (const ValueType& type : value_types()) documented |= type.name == setting.type;
    EXPECT_TRUE(documented || setting.type.find('|') != std::string_view::npos) << setting.name;
  }
}

TEST(SettingsTable, EnumSpellingsFollowEnumeratorOrder) {
  Config config;
  find_setting("log-format")->set(config, "json");
  EXPECT_EQ(config.log_format, LogFormat::kJson);
  find_setting("log-level")->set(config, "debug");
  EXPECT_EQ(config.log_level, LogLevel::kDebug);
  find_setting("log-level")->set(config, "error");
  EXPECT_EQ(config.log_level, LogLevel::kError);
}

TEST(SettingsTable, ClosestSettingSuggestsNearNames) {
  EXPECT_EQ(closest_setting("MAX_BODY_BYTES"), "max-body-bytes");
  EXPECT_EQ(closest_setting("treads"), "threads");
  EXPECT_EQ(closest_setting("completely-different"), std::nullopt);
}

// docs/configuration.md and README.md carry settings_markdown() between two markers;
// regenerate with `basalt config docs` when this fails.
TEST(SettingsTable, DocsMatchTheTable) {
  constexpr std::string_view kBegin = "<!-- BEGIN GENERATED by `basalt config docs` -->\n";
  constexpr std::string_view kEnd = "<!-- END GENERATED -->";
  for (const char* name : {"docs/configuration.md", "README.md"}) {
    std::ifstream file(testing::source_dir() / name);
    ASSERT_TRUE(file) << name << " is missing";
    std::stringstream text;
    text << file.rdbuf();
    std::string doc = text.str();
    std::size_t begin = doc.find(kBegin);
    std::size_t end = doc.find(kEnd);
    ASSERT_NE(begin, std::string::npos) << name;
    ASSERT_NE(end, std::string::npos) << name;
    begin += kBegin.size();
    EXPECT_EQ(doc.substr(begin, end - begin), settings_markdown())
        << name << " is out of date: run `basalt config docs` and paste its output";
  }
}

}  // namespace
}  // namespace basalt::core
