#include "basalt/settings/settings_validator.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "basalt/schema/text_formats.hpp"
#include "basalt/settings/address_formats.hpp"
#include "basalt/settings/cron_expression.hpp"

namespace basalt::settings {
namespace {

using schema::ErrorScope;
using schema::FieldError;
using schema::make_error;

constexpr std::int64_t kMaxNameLength = 255;
constexpr std::int64_t kAccentColorLength = 7;
constexpr std::array<std::string_view, 2> kSmtpAuthMethods = {"PLAIN", "LOGIN"};

// ozzo-validation's `is` rules that PocketBase uses here.
FieldError error_is_url() {
  return make_error("validation_is_url", "must be a valid URL");
}
FieldError error_is_email() {
  return make_error("validation_is_email", "must be a valid email address");
}
FieldError error_is_host() {
  return make_error("validation_is_host", "must be a valid IP address or DNS name");
}
FieldError error_is_hex_color() {
  return make_error("validation_is_hex_color", "must be a valid hexadecimal color code");
}
// The code's spelling is PocketBase's (core/validators/string.go).
FieldError error_ip_or_subnet() {
  return make_error("validation_invlaid_ip_or_subnet", "invalid IP or CIDR subnet");
}
// The message is the schedule parser's own text, shown verbatim (never read as a template).
FieldError error_cron(const std::string& reason) {
  FieldError error = make_error("validation_invalid_cron", "{{.reason}}", {{"reason", reason}});
  error.params.clear();
  return error;
}

// ozzo's Min on an integer skips the zero value ("empty"), so Min(1) lets 0 through.
void check_min(const ErrorScope& scope, std::string_view key, std::int64_t value,
               std::int64_t min) {
  if (value != 0 && value < min) scope.add(key, schema::error_min_threshold(min));
}

// When(required, Required), then Min(min): 0 is "blank".
void check_required_min(const ErrorScope& scope, std::string_view key, std::int64_t value,
                        bool required, std::int64_t min) {
  if (required && value == 0) {
    scope.add(key, schema::error_required());
  } else {
    check_min(scope, key, value, min);
  }
}

// Required, then Length(1, 255) counted in runes.
void check_name(const ErrorScope& scope, std::string_view key, const std::string& value) {
  if (value.empty()) {
    scope.add(key, schema::error_required());
  } else if (schema::length_out_of_range(schema::rune_count(value), 1, kMaxNameLength)) {
    scope.add(key, schema::error_length(1, kMaxNameLength));
  }
}

// ozzo's Each(Required, By(IPOrSubnet)): errors under the item's index.
void check_ip_list(const ErrorScope& scope, std::string_view key,
                   const std::vector<std::string>& items) {
  const ErrorScope list = scope.nested(key);
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].empty()) {
      list.add(std::to_string(i), schema::error_required());
    } else if (!is_ip_or_subnet(items[i])) {
      list.add(std::to_string(i), error_ip_or_subnet());
    }
  }
}

void check_optional_host(const ErrorScope& scope, std::string_view key, const std::string& value) {
  if (!value.empty() && !is_host(value)) scope.add(key, error_is_host());
}

void check_meta(const MetaSettings& meta, const ErrorScope& scope) {
  const std::string& color = meta.accent_color;
  if (!color.empty()) {
    if (schema::length_out_of_range(schema::rune_count(color), kAccentColorLength,
                                    kAccentColorLength)) {
      scope.add("accentColor", schema::error_length(kAccentColorLength, kAccentColorLength));
    } else if (!is_hex_color(color)) {
      scope.add("accentColor", error_is_hex_color());
    }
  }
  check_name(scope, "appName", meta.app_name);
  if (meta.app_url.empty()) {
    scope.add("appURL", schema::error_required());
  } else if (!schema::is_url(meta.app_url)) {
    scope.add("appURL", error_is_url());
  }
  check_name(scope, "senderName", meta.sender_name);
  if (meta.sender_address.empty()) {
    scope.add("senderAddress", schema::error_required());
  } else if (!schema::is_email(meta.sender_address)) {
    scope.add("senderAddress", error_is_email());
  }
}

void check_logs(const LogsSettings& logs, const ErrorScope& scope) {
  check_min(scope, "maxDays", logs.max_days, 0);
}

void check_smtp(const SmtpSettings& smtp, const ErrorScope& scope) {
  if (smtp.enabled && smtp.host.empty()) {
    scope.add("host", schema::error_required());
  } else {
    check_optional_host(scope, "host", smtp.host);
  }
  check_required_min(scope, "port", smtp.port, smtp.enabled, 0);
  if (!smtp.auth_method.empty() && std::find(kSmtpAuthMethods.begin(), kSmtpAuthMethods.end(),
                                             smtp.auth_method) == kSmtpAuthMethods.end()) {
    scope.add("authMethod", schema::error_in());
  }
  check_optional_host(scope, "localName", smtp.local_name);
}

void check_s3(const S3Settings& s3, const ErrorScope& scope) {
  if (!s3.endpoint.empty() && !schema::is_url(s3.endpoint)) {
    scope.add("endpoint", error_is_url());
  }
  if (!s3.enabled) return;
  const std::array<std::pair<std::string_view, const std::string*>, 5> required = {{
      {"endpoint", &s3.endpoint},
      {"bucket", &s3.bucket},
      {"region", &s3.region},
      {"accessKey", &s3.access_key},
      {"secret", &s3.secret},
  }};
  for (const auto& [key, value] : required) {
    if (value->empty()) scope.add(key, schema::error_required());
  }
}

void check_backups(const BackupsSettings& backups, const ErrorScope& scope) {
  check_s3(backups.s3, scope.nested("s3"));
  if (!backups.cron.empty()) {
    if (auto reason = cron_expression_error(backups.cron)) scope.add("cron", error_cron(*reason));
  }
  check_required_min(scope, "cronMaxKeep", backups.cron_max_keep, !backups.cron.empty(), 1);
}

void check_batch(const BatchSettings& batch, const ErrorScope& scope) {
  check_required_min(scope, "maxRequests", batch.max_requests, batch.enabled, 0);
  check_required_min(scope, "timeout", batch.timeout, batch.enabled, 0);
  check_min(scope, "maxBodySize", batch.max_body_size, 0);
}

void check_rule(const RateLimitRule& rule, const ErrorScope& scope) {
  if (rule.label.empty()) {
    scope.add("label", schema::error_required());
  } else if (!is_rate_limit_label(rule.label)) {
    scope.add("label", schema::error_match());
  }
  check_required_min(scope, "maxRequests", rule.max_requests, true, 1);
  check_required_min(scope, "duration", rule.duration, true, 1);
  if (rule.audience != kAudienceAll && rule.audience != kAudienceGuest &&
      rule.audience != kAudienceAuth) {
    scope.add("audience", schema::error_in());
  }
}

// PocketBase's checkUniqueRuleLabel: the first rule whose "label@@audience" is a prefix of an
// earlier one's, or has one as its prefix; -1 when none.
std::ptrdiff_t conflicting_rule(const std::vector<RateLimitRule>& rules) {
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    std::string key = rules[i].label + "@@" + rules[i].audience;
    for (const auto& earlier : keys) {
      if (earlier.starts_with(key) || key.starts_with(earlier)) {
        return static_cast<std::ptrdiff_t>(i);
      }
    }
    keys.push_back(std::move(key));
  }
  return -1;
}

void check_rate_limits(const RateLimitSettings& limits, const ErrorScope& scope) {
  const ErrorScope rules = scope.nested("rules");
  if (limits.enabled && limits.rules.empty()) {
    scope.add("rules", schema::error_required());
  } else if (std::ptrdiff_t conflict = conflicting_rule(limits.rules); conflict >= 0) {
    const std::string& label = limits.rules[static_cast<std::size_t>(conflict)].label;
    rules.add(schema::ErrorPath{std::to_string(conflict), "label"},
              make_error("validation_conflicting_rate_limit_rule",
                         "Rate limit rule configuration with label {{.label}} already exists or "
                         "conflicts with another rule.",
                         {{"label", label}}));
  } else {
    for (std::size_t i = 0; i < limits.rules.size(); ++i) {
      check_rule(limits.rules[i], rules.nested(std::to_string(i)));
    }
  }
  check_ip_list(scope, "excludedIPs", limits.excluded_ips);
}

bool is_word(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// `/` followed by word characters, '/' and '-'.
bool is_path(std::string_view text) {
  return !text.empty() && text[0] == '/' && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '/' || c == '-';
  });
}

}  // namespace

bool is_rate_limit_label(std::string_view label) {
  if (const std::size_t space = label.find(' '); space != std::string_view::npos) {
    return is_word(label.substr(0, space)) && is_path(label.substr(space + 1));
  }
  if (const std::size_t colon = label.find(':'); colon != std::string_view::npos) {
    const std::string_view before = label.substr(0, colon);
    return (before == "*" || is_word(before)) && is_word(label.substr(colon + 1));
  }
  return is_path(label) || is_word(label);
}

void check_graphql(const GraphqlSettings& graphql, const ErrorScope& scope) {
  const struct {
    std::string_view key;
    std::int64_t value;
    std::int64_t cap;
  } bounds[] = {{"maxDocumentBytes", graphql.max_document_bytes, std::int64_t{1} << 20},
                {"maxDepth", graphql.max_depth, 64},
                {"maxFields", graphql.max_fields, 100'000},
                {"maxAliases", graphql.max_aliases, 100'000},
                {"maxLimit", graphql.max_limit, 1000}};
  for (const auto& bound : bounds) {
    if (bound.value < 1) {
      scope.add(bound.key, schema::error_min_threshold(1));
    } else if (bound.value > bound.cap) {
      scope.add(bound.key, schema::error_max_threshold(bound.cap));
    }
  }
}

schema::ValidationErrors validate_settings(const AppSettings& settings) {
  schema::ValidationErrors errors;
  const ErrorScope root(errors, {});
  check_ip_list(root, "superuserIPs", settings.superuser_ips);
  check_meta(settings.meta, root.nested("meta"));
  check_logs(settings.logs, root.nested("logs"));
  check_smtp(settings.smtp, root.nested("smtp"));
  check_s3(settings.s3, root.nested("s3"));
  check_backups(settings.backups, root.nested("backups"));
  check_batch(settings.batch, root.nested("batch"));
  check_rate_limits(settings.rate_limits, root.nested("rateLimits"));
  check_graphql(settings.graphql, root.nested("graphql"));
  // trustedProxy has no rules.
  return errors;
}

}  // namespace basalt::settings
