// Rules, auth options and view options of collection validation
// (core/collection_validate.go, core/collection_model_auth_options.go,
// core/collection_model_view_options.go).

#include <algorithm>
#include <set>

#include "basalt/schema/collection_checks.hpp"
#include "basalt/schema/collection_validator.hpp"
#include "basalt/schema/index_sql.hpp"
#include "basalt/schema/text_formats.hpp"
#include "basalt/schema/value_cast.hpp"
#include "basalt/schema/view_query.hpp"

namespace basalt::schema::detail {
namespace {

constexpr std::int64_t kMinTokenSecret = 30;
constexpr std::int64_t kMaxTokenSecret = 255;
constexpr std::int64_t kMinTokenDuration = 10;
constexpr std::int64_t kMaxTokenDuration = 94670856;  // about three years
constexpr std::int64_t kMinShortDuration = 10;
constexpr std::int64_t kMaxShortDuration = 86400;
constexpr std::int64_t kMinOtpLength = 4;

void check_rule_text(const CollectionCheck& check, const ErrorScope& out, std::string_view key,
                     std::string_view rule) {
  if (rule.size() > kMaxRuleLength) {
    out.add(key, error_length(0, static_cast<std::int64_t>(kMaxRuleLength)));
    return;
  }
  if (rule.empty() || !check.lookup.check_rule) return;
  if (auto problem = check.lookup.check_rule(check.collection, rule)) {
    out.add(key, make_error("validation_invalid_rule", "Invalid rule. Raw error: " + *problem));
  }
}

FieldError system_rule_change() {
  return make_error("validation_collection_system_rule_change",
                    "System collection API rule cannot be changed.");
}

void check_template(const ErrorScope& out, std::string_view key, const EmailTemplate& t,
                    bool required) {
  if (required && t.subject.empty() && t.body.empty()) {
    out.add(key, error_required());
    return;
  }
  ErrorScope nested = out.nested(key);
  if (t.subject.empty()) nested.add("subject", error_required());
  if (t.body.empty()) nested.add("body", error_required());
}

void check_token(const ErrorScope& out, std::string_view key, const TokenConfig& token) {
  ErrorScope nested = out.nested(key);
  if (token.secret.empty()) {
    nested.add("secret", error_required());
  } else if (length_out_of_range(token.secret.size(), kMinTokenSecret, kMaxTokenSecret)) {
    nested.add("secret", error_length(kMinTokenSecret, kMaxTokenSecret));
  }
  if (token.duration == 0) {
    nested.add("duration", error_required());
  } else if (token.duration < kMinTokenDuration) {
    nested.add("duration", error_min_threshold(kMinTokenDuration));
  } else if (token.duration > kMaxTokenDuration) {
    nested.add("duration", error_max_threshold(kMaxTokenDuration));
  }
}

// Required, Min(10), Max(86400) when the feature is enabled.
void check_short_duration(const ErrorScope& out, std::int64_t duration) {
  if (duration == 0) {
    out.add("duration", error_required());
  } else if (duration < kMinShortDuration) {
    out.add("duration", error_min_threshold(kMinShortDuration));
  } else if (duration > kMaxShortDuration) {
    out.add("duration", error_max_threshold(kMaxShortDuration));
  }
}

void check_providers(const CollectionCheck& check, const ErrorScope& out,
                     const std::vector<OAuth2ProviderConfig>& providers) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < providers.size(); ++i) {
    const auto& p = providers[i];
    ErrorScope item = out.nested(std::to_string(i));
    if (!p.name.empty() && !seen.insert(p.name).second) {
      item.add("name",
               make_error("validation_duplicated_provider",
                          "The provider {{.name}} is already registered.", {{"name", p.name}}));
    }
    if (p.name.empty()) {
      item.add("name", error_required());
    } else if (check.lookup.is_oauth2_provider && !check.lookup.is_oauth2_provider(p.name)) {
      item.add("name",
               make_error("validation_missing_provider",
                          "Invalid or missing provider with name {{.name}}.", {{"name", p.name}}));
    }
    if (p.client_id.empty()) item.add("clientId", error_required());
    if (p.client_secret.empty()) item.add("clientSecret", error_required());
    FieldError bad_url = make_error("validation_is_url", "must be a valid URL");
    if (!p.auth_url.empty() && !is_url(p.auth_url)) item.add("authURL", bad_url);
    if (!p.token_url.empty() && !is_url(p.token_url)) item.add("tokenURL", bad_url);
    if (!p.user_info_url.empty() && !is_url(p.user_info_url)) item.add("userInfoURL", bad_url);
  }
}

void check_identity_fields(const CollectionCheck& check, const ErrorScope& out) {
  std::vector<std::string> fields = to_unique_strings(
      strings_to_json(items(check.collection.auth.password_auth.identity_fields)));
  if (fields.empty()) {
    out.add("identityFields", error_required());
    return;
  }
  for (const auto& name : fields) {
    if (!check.collection.field_by_name(name)) {
      out.add("identityFields",
              make_error("validation_missing_field", "Invalid or missing field {{.fieldName}}",
                         {{"fieldName", name}}));
      return;
    }
    if (!find_single_column_unique_index(check.collection.indexes, name)) {
      out.add("identityFields",
              make_error("validation_missing_unique_constraint",
                         "The field {{.fieldName}} doesn't have a UNIQUE constraint.",
                         {{"fieldName", name}}));
      return;
    }
  }
}

}  // namespace

void check_rule(const CollectionCheck& check, const ErrorScope& out, std::string_view key,
                const Rule& rule, const Rule& old_rule) {
  if (rule) check_rule_text(check, out, key, *rule);
  if (check.old && check.old->system && rule != old_rule) out.add(key, system_rule_change());
}

void check_auth_options(const CollectionCheck& check, const ErrorScope& out) {
  const AuthOptions& o = check.collection.auth;
  const AuthOptions* old = check.old ? &check.old->auth : nullptr;
  static const Rule kNoRule;

  check_rule(check, out, "authRule", o.auth_rule, old ? old->auth_rule : kNoRule);
  if (o.manage_rule && o.manage_rule->empty()) out.add("manageRule", error_nil_or_not_empty());
  check_rule(check, out, "manageRule", o.manage_rule, old ? old->manage_rule : kNoRule);

  check_template(out.nested("authAlert"), "emailTemplate", o.auth_alert.email_template, false);

  if (o.password_auth.enabled) check_identity_fields(check, out.nested("passwordAuth"));

  if (o.oauth2.enabled && o.oauth2.providers) {
    check_providers(check, out.nested("oauth2").nested("providers"), *o.oauth2.providers);
  }

  // MFA and OTP (docs/auth-flows.md) are checked as PocketBase checks them.
  ErrorScope otp = out.nested("otp");
  if (o.otp.enabled) {
    check_short_duration(otp, o.otp.duration);
    if (o.otp.length == 0) {
      otp.add("length", error_required());
    } else if (o.otp.length < kMinOtpLength) {
      otp.add("length", error_min_threshold(kMinOtpLength));
    }
  }
  check_template(otp, "emailTemplate", o.otp.email_template, false);

  ErrorScope mfa = out.nested("mfa");
  if (o.mfa.enabled) {
    // PocketBase also asks for two enabled auth methods here; Basalt's TOTP is always there to
    // be the second one (docs/auth-flows.md, "MFA"), so one method is enough.
    check_short_duration(mfa, o.mfa.duration);
    if (!o.mfa.rule.empty()) {
      check_rule_text(check, mfa, "rule", o.mfa.rule);
      if (check.old && check.old->system && o.mfa.rule != check.old->auth.mfa.rule) {
        mfa.add("rule", system_rule_change());
      }
    }
  }

  check_token(out, "authToken", o.auth_token);
  check_token(out, "passwordResetToken", o.password_reset_token);
  check_token(out, "emailChangeToken", o.email_change_token);
  check_token(out, "verificationToken", o.verification_token);
  check_token(out, "fileToken", o.file_token);

  check_template(out, "verificationTemplate", o.verification_template, true);
  check_template(out, "resetPasswordTemplate", o.reset_password_template, true);
  check_template(out, "confirmEmailChangeTemplate", o.confirm_email_change_template, true);
}

void check_view_options(const CollectionCheck& check, const ErrorScope& out) {
  const std::string& query = check.collection.view_query;
  if (query.empty()) {
    out.add("viewQuery", error_required());
    return;
  }
  std::optional<std::string> problem = check_view_query_shape(query);
  if (!problem && check.lookup.check_view_query) problem = check.lookup.check_view_query(query);
  if (problem) {
    std::string text = problem->substr(0, 500);
    out.add("viewQuery", make_error("validation_invalid_view_query", "Invalid query - " + text));
  }
}

}  // namespace basalt::schema::detail
