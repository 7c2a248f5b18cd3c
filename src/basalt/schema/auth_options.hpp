// The options of an auth collection (PocketBase's core/collection_model_auth_options.go), kept
// whole so that a collection round-trips through JSON unchanged.
//
// Secrets (token secrets, OAuth2 client secrets) live here in clear; only the "storage" JSON
// form carries them (collection_json.hpp), the public form blanks them.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "basalt/schema/field_options.hpp"

namespace basalt::schema {

struct EmailTemplate {
  std::string subject;  // "subject"
  std::string body;     // "body"
  friend bool operator==(const EmailTemplate&, const EmailTemplate&) = default;
};

struct TokenConfig {
  std::string secret;         // "secret": omitted from JSON when empty (and in the public form)
  std::int64_t duration = 0;  // "duration": seconds
  friend bool operator==(const TokenConfig&, const TokenConfig&) = default;
};

struct AuthAlertConfig {
  bool enabled = false;          // "enabled"
  EmailTemplate email_template;  // "emailTemplate"
  friend bool operator==(const AuthAlertConfig&, const AuthAlertConfig&) = default;
};

struct OAuth2ProviderConfig {
  std::optional<bool> pkce;   // "pkce": null = the provider's default
  std::string name;           // "name"
  std::string client_id;      // "clientId"
  std::string client_secret;  // "clientSecret": omitted when empty and in the public form
  std::string auth_url;       // "authURL"
  std::string token_url;      // "tokenURL"
  std::string user_info_url;  // "userInfoURL"
  std::string display_name;   // "displayName"
  boost::json::value extra;   // "extra": an object or null
  friend bool operator==(const OAuth2ProviderConfig&, const OAuth2ProviderConfig&) = default;
};

struct OAuth2MappedFields {
  std::string id;          // "id"
  std::string name;        // "name"
  std::string username;    // "username"
  std::string avatar_url;  // "avatarURL"
  friend bool operator==(const OAuth2MappedFields&, const OAuth2MappedFields&) = default;
};

struct OAuth2Config {
  std::optional<std::vector<OAuth2ProviderConfig>> providers;  // "providers" ([] when public)
  OAuth2MappedFields mapped_fields;                            // "mappedFields"
  bool enabled = false;                                        // "enabled"
  friend bool operator==(const OAuth2Config&, const OAuth2Config&) = default;
};

struct PasswordAuthConfig {
  bool enabled = false;        // "enabled"
  StringList identity_fields;  // "identityFields"
  friend bool operator==(const PasswordAuthConfig&, const PasswordAuthConfig&) = default;
};

struct MfaConfig {
  bool enabled = false;       // "enabled"
  std::int64_t duration = 0;  // "duration": seconds
  std::string rule;           // "rule": "" = every record
  friend bool operator==(const MfaConfig&, const MfaConfig&) = default;
};

struct OtpConfig {
  bool enabled = false;          // "enabled"
  std::int64_t duration = 0;     // "duration": seconds
  std::int64_t length = 0;       // "length": generated password length
  EmailTemplate email_template;  // "emailTemplate"
  friend bool operator==(const OtpConfig&, const OtpConfig&) = default;
};

// Members in PocketBase's JSON order.
struct AuthOptions {
  std::optional<std::string> auth_rule;         // "authRule": null disables auth for non-superusers
  std::optional<std::string> manage_rule;       // "manageRule": null or non-empty
  AuthAlertConfig auth_alert;                   // "authAlert"
  OAuth2Config oauth2;                          // "oauth2"
  PasswordAuthConfig password_auth;             // "passwordAuth"
  MfaConfig mfa;                                // "mfa"
  OtpConfig otp;                                // "otp"
  TokenConfig auth_token;                       // "authToken"
  TokenConfig password_reset_token;             // "passwordResetToken"
  TokenConfig email_change_token;               // "emailChangeToken"
  TokenConfig verification_token;               // "verificationToken"
  TokenConfig file_token;                       // "fileToken"
  EmailTemplate verification_template;          // "verificationTemplate"
  EmailTemplate reset_password_template;        // "resetPasswordTemplate"
  EmailTemplate confirm_email_change_template;  // "confirmEmailChangeTemplate"
  friend bool operator==(const AuthOptions&, const AuthOptions&) = default;
};

// The options a new auth collection starts with (as PocketBase's): authRule "", manageRule null,
// password auth on email, token durations 432000/1800/1800/86400/180 s, MFA 600 s, OTP 180 s x 8
// digits, auth alerts on, and fresh 50-character random secrets for every token.
AuthOptions default_auth_options();

// A fresh token secret: 50 characters of [A-Za-z0-9].
std::string new_token_secret();

// Email template placeholders the mailer substitutes.
inline constexpr std::string_view kPlaceholderAppName = "{APP_NAME}";
inline constexpr std::string_view kPlaceholderAppUrl = "{APP_URL}";
inline constexpr std::string_view kPlaceholderToken = "{TOKEN}";
inline constexpr std::string_view kPlaceholderOtp = "{OTP}";
inline constexpr std::string_view kPlaceholderAlertInfo = "{ALERT_INFO}";

}  // namespace basalt::schema
