// The settings rules of PocketBase's core/settings_model.go, key by key, and the format checks
// behind them (hosts, IPs and subnets, rate limit labels, cron expressions).
#include "basalt/settings/settings_validator.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "basalt/settings/address_formats.hpp"
#include "basalt/settings/cron_expression.hpp"

namespace basalt::settings {
namespace {

// The code of the error at `path`, or "" when there is none.
std::string code_at(const schema::ValidationErrors& errors, const schema::ErrorPath& path) {
  const schema::FieldError* error = errors.find(path);
  return error ? error->code : "";
}

TEST(SettingsValidatorTest, DefaultsAreValid) {
  EXPECT_TRUE(validate_settings(AppSettings{}).empty());
}

TEST(SettingsValidatorTest, MetaRules) {
  AppSettings s;
  s.meta.app_name = "";
  s.meta.app_url = "not a url";
  s.meta.sender_name = std::string(256, 'x');
  s.meta.sender_address = "nobody";
  s.meta.accent_color = "#12";
  auto errors = validate_settings(s);
  EXPECT_EQ(code_at(errors, {"meta", "appName"}), "validation_required");
  EXPECT_EQ(code_at(errors, {"meta", "appURL"}), "validation_is_url");
  EXPECT_EQ(code_at(errors, {"meta", "senderName"}), "validation_length_out_of_range");
  EXPECT_EQ(code_at(errors, {"meta", "senderAddress"}), "validation_is_email");
  EXPECT_EQ(code_at(errors, {"meta", "accentColor"}), "validation_length_invalid");
  EXPECT_EQ(errors.size(), 5u);
  EXPECT_EQ(boost::json::serialize(errors.to_json().at("meta").at("appURL")),
            R"({"code":"validation_is_url","message":"Must be a valid URL."})");

  s = AppSettings{};
  s.meta.accent_color = "#zzzzzz";
  s.meta.app_url = "";
  s.meta.sender_address = "";
  errors = validate_settings(s);
  EXPECT_EQ(code_at(errors, {"meta", "accentColor"}), "validation_is_hex_color");
  EXPECT_EQ(code_at(errors, {"meta", "appURL"}), "validation_required");
  EXPECT_EQ(code_at(errors, {"meta", "senderAddress"}), "validation_required");

  s = AppSettings{};
  s.meta.accent_color = "";        // optional
  s.meta.app_url = "example.com";  // govalidator's IsURL takes a URL without scheme
  s.meta.app_name = std::string(255, 'x');
  EXPECT_TRUE(validate_settings(s).empty());
}

TEST(SettingsValidatorTest, SmtpRulesApplyWhenEnabled) {
  AppSettings s;
  s.smtp.host = "";
  s.smtp.port = 0;
  EXPECT_TRUE(validate_settings(s).empty()) << "nothing is required while disabled";
  s.smtp.enabled = true;
  auto errors = validate_settings(s);
  EXPECT_EQ(code_at(errors, {"smtp", "host"}), "validation_required");
  EXPECT_EQ(code_at(errors, {"smtp", "port"}), "validation_required");

  s.smtp.host = "bad host!";
  s.smtp.port = -1;
  s.smtp.auth_method = "CRAM-MD5";
  s.smtp.local_name = "-bad";
  errors = validate_settings(s);
  EXPECT_EQ(code_at(errors, {"smtp", "host"}), "validation_is_host");
  EXPECT_EQ(code_at(errors, {"smtp", "port"}), "validation_min_greater_equal_than_required");
  EXPECT_EQ(code_at(errors, {"smtp", "authMethod"}), "validation_in_invalid");
  EXPECT_EQ(code_at(errors, {"smtp", "localName"}), "validation_is_host");

  s.smtp.host = "127.0.0.1";
  s.smtp.port = 25;
  s.smtp.auth_method = "LOGIN";
  s.smtp.local_name = "mail.example.com";
  EXPECT_TRUE(validate_settings(s).empty());
}

TEST(SettingsValidatorTest, S3AndBackupsRules) {
  AppSettings s;
  s.s3.enabled = true;
  s.s3.endpoint = "bad endpoint";
  s.backups.s3.enabled = true;
  s.backups.cron = "61 * * * *";
  s.backups.cron_max_keep = 0;
  auto errors = validate_settings(s);
  EXPECT_EQ(code_at(errors, {"s3", "endpoint"}), "validation_is_url");
  for (auto key : {"bucket", "region", "accessKey", "secret"}) {
    EXPECT_EQ(code_at(errors, {"s3", key}), "validation_required") << key;
  }
  EXPECT_EQ(code_at(errors, {"backups", "s3", "endpoint"}), "validation_required");
  EXPECT_EQ(code_at(errors, {"backups", "cron"}), "validation_invalid_cron");
  EXPECT_EQ(errors.find({"backups", "cron"})->message,
            "Invalid segment value - must be between the min and max of the segment.");
  EXPECT_EQ(code_at(errors, {"backups", "cronMaxKeep"}), "validation_required");

  s = AppSettings{};
  s.backups.cron_max_keep = -1;
  EXPECT_EQ(code_at(validate_settings(s), {"backups", "cronMaxKeep"}),
            "validation_min_greater_equal_than_required");
}

TEST(SettingsValidatorTest, BatchAndLogsRules) {
  AppSettings s;
  s.batch.enabled = true;
  s.batch.max_requests = 0;
  s.batch.timeout = -3;
  s.batch.max_body_size = -1;
  s.logs.max_days = -1;
  auto errors = validate_settings(s);
  EXPECT_EQ(code_at(errors, {"batch", "maxRequests"}), "validation_required");
  EXPECT_EQ(code_at(errors, {"batch", "timeout"}), "validation_min_greater_equal_than_required");
  EXPECT_EQ(code_at(errors, {"batch", "maxBodySize"}),
            "validation_min_greater_equal_than_required");
  EXPECT_EQ(code_at(errors, {"logs", "maxDays"}), "validation_min_greater_equal_than_required");
  EXPECT_EQ(boost::json::serialize(errors.to_json().at("logs").at("maxDays")),
            R"({"code":"validation_min_greater_equal_than_required",)"
            R"("message":"Must be no less than 0.","params":{"threshold":0}})");

  s = AppSettings{};
  s.batch.max_requests = 0;  // not required while batch is disabled
  EXPECT_TRUE(validate_settings(s).empty());
}

TEST(SettingsValidatorTest, RateLimitRules) {
  AppSettings s;
  s.rate_limits.enabled = true;
  s.rate_limits.rules.clear();
  EXPECT_EQ(code_at(validate_settings(s), {"rateLimits", "rules"}), "validation_required");

  s.rate_limits.rules = {{"bad label!", "@nobody", 0, -1}};
  auto errors = validate_settings(s);
  EXPECT_EQ(code_at(errors, {"rateLimits", "rules", "0", "label"}), "validation_match_invalid");
  EXPECT_EQ(code_at(errors, {"rateLimits", "rules", "0", "audience"}), "validation_in_invalid");
  EXPECT_EQ(code_at(errors, {"rateLimits", "rules", "0", "duration"}), "validation_required");
  EXPECT_EQ(code_at(errors, {"rateLimits", "rules", "0", "maxRequests"}),
            "validation_min_greater_equal_than_required");

  // Keys are "label@@audience": "/api/@@" is a prefix of "/api/@@@auth", so a rule for
  // everyone conflicts with a later one for the same label and any audience.
  s.rate_limits.rules = {
      {"/api/", "", 10, 300}, {"users:auth", "", 3, 2}, {"/api/", "@auth", 1, 1}};
  errors = validate_settings(s);
  EXPECT_EQ(code_at(errors, {"rateLimits", "rules", "2", "label"}),
            "validation_conflicting_rate_limit_rule");
  EXPECT_EQ(errors.find({"rateLimits", "rules", "2", "label"})->message,
            "Rate limit rule configuration with label /api/ already exists or conflicts with "
            "another rule.");

  s.rate_limits.rules = {{"/api/", "@guest", 10, 300}, {"/api/", "@auth", 1, 1}};
  s.rate_limits.excluded_ips = {"10.0.0.0/8", "", "nope"};
  errors = validate_settings(s);
  EXPECT_FALSE(errors.has_under({"rateLimits", "rules"}));
  EXPECT_EQ(code_at(errors, {"rateLimits", "excludedIPs", "1"}), "validation_required");
  EXPECT_EQ(code_at(errors, {"rateLimits", "excludedIPs", "2"}), "validation_invlaid_ip_or_subnet");
}

TEST(SettingsValidatorTest, SuperuserIps) {
  AppSettings s;
  s.superuser_ips = {"127.0.0.1", "::1", "192.168.0.0/16", "", "10.0.0.256"};
  auto errors = validate_settings(s);
  EXPECT_EQ(errors.size(), 2u);
  EXPECT_EQ(code_at(errors, {"superuserIPs", "3"}), "validation_required");
  EXPECT_EQ(code_at(errors, {"superuserIPs", "4"}), "validation_invlaid_ip_or_subnet");
  EXPECT_EQ(errors.find({"superuserIPs", "4"})->message, "Invalid IP or CIDR subnet.");
}

TEST(SettingsValidatorTest, RateLimitLabelGrammar) {
  for (auto label : {"test_a", "users:create", "*:create", "/", "/api", "/api/batch",
                     "POST /api/collections/", "GET /", "/a-b_c/"}) {
    EXPECT_TRUE(is_rate_limit_label(label)) << label;
  }
  for (auto label : {"", "*", "*:", ":x", "users:", "a-b", "POST  /api", "POST api", "/api x",
                     "/api?x", "a:b:c", "\xc3\xa9"}) {
    EXPECT_FALSE(is_rate_limit_label(label)) << label;
  }
}

TEST(SettingsValidatorTest, HostsAddressesAndColors) {
  for (auto host : {"localhost", "smtp.example.com", "example.com.", "a_b.c", "127.0.0.1", "::1",
                    "2001:db8::1"}) {
    EXPECT_TRUE(is_host(host)) << host;
  }
  for (auto host : {"", "-a.com", "a..b", "bad host", "a.com/x", "[::1]", ".a"}) {
    EXPECT_FALSE(is_host(host)) << host;
  }
  EXPECT_TRUE(is_host("x." + std::string(63, 'a')));
  EXPECT_FALSE(is_host("x." + std::string(64, 'a')));
  EXPECT_TRUE(is_host("x." + std::string(63, 'a') + "_"));  // the pattern's trailing [._]
  std::string long_name;  // valid labels, but 300 characters besides the dots
  for (int i = 0; i < 5; ++i) long_name += std::string(60, 'a') + ".";
  EXPECT_FALSE(is_host(long_name));
  for (auto ip : {"1.2.3.4", "::1", "fe80::1%eth0", "10.0.0.0/8", "::/0", "2001:db8::/32"}) {
    EXPECT_TRUE(is_ip_or_subnet(ip)) << ip;
  }
  for (auto ip : {"", "1.2.3", "01.2.3.4", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/08", "::1/129",
                  "fe80::1%", "1.2.3.4%eth0", "host"}) {
    EXPECT_FALSE(is_ip_or_subnet(ip)) << ip;
  }
  EXPECT_TRUE(is_hex_color("#1055c9"));
  EXPECT_TRUE(is_hex_color("abc"));
  EXPECT_FALSE(is_hex_color("#1055c"));
  EXPECT_FALSE(is_hex_color("#1055cg"));
}

TEST(SettingsValidatorTest, CronExpressions) {
  for (auto expression :
       {"@daily", "@hourly", "* * * * *", "0 0 * * 0", "*/5 1-3 1,15 1-12/2 *", "0 0 31 12 6"}) {
    EXPECT_EQ(cron_expression_error(expression), std::nullopt) << expression;
  }
  struct Case {
    std::string_view expression;
    std::string_view error;
  };
  for (const Case& c : {
           Case{"* * * *",
                "invalid cron expression - must be a valid macro or to have exactly 5 "
                "space separated segments"},
           Case{"*  * * * *",
                "invalid cron expression - must be a valid macro or to have "
                "exactly 5 space separated segments"},
           Case{"60 * * * *",
                "invalid segment value - must be between the min and max of the segment"},
           Case{"x * * * *", "strconv.Atoi: parsing \"x\": invalid syntax"},
           Case{"*/0 * * * *",
                "invalid segment step boundary - the step must be between 1 and the 59"},
           Case{"5/2 * * * *",
                "invalid segment step - step > 1 could be used only with the "
                "wildcard or range format"},
           Case{"*/1/2 * * * *",
                "invalid segment step format - must be in the format */n or 1-30/n"},
           Case{"* 5-2 * * *", "invalid segment range maximum - must be between 5 and 23"},
           Case{"* * 0-3 * *", "invalid segment range minimum - must be between 1 and 31"},
           Case{"* * * 1-2-3 *", "invalid segment range format - the range must have 1 or 2 parts"},
       }) {
    EXPECT_EQ(cron_expression_error(c.expression).value_or(""), c.error) << c.expression;
  }
}

}  // namespace
}  // namespace basalt::settings
