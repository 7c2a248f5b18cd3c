#include "basalt/schema/auth_options.hpp"

#include "basalt/schema/ids.hpp"

namespace basalt::schema {
namespace {

constexpr std::size_t kSecretLength = 50;

// The default mail templates. Their wording is ours; the placeholders are the contract the
// mailer substitutes. A template must keep a non-empty subject and body (definition validation).
EmailTemplate verification_template() {
  return {"Verify your {APP_NAME} email",
          "<p>Hello,</p>\n"
          "<p>Thanks for signing up to {APP_NAME}. Confirm your email address with the button "
          "below.</p>\n"
          "<p>\n  <a class=\"btn\" href=\"{APP_URL}/_/#/auth/confirm-verification/{TOKEN}\" "
          "target=\"_blank\" rel=\"noopener\">Verify</a>\n</p>\n"
          "<p><i>If you did not sign up, you can ignore this email.</i></p>\n"
          "<p>\n  Thanks,<br/>\n  {APP_NAME} team\n</p>"};
}

EmailTemplate reset_password_template() {
  return {"Reset your {APP_NAME} password",
          "<p>Hello,</p>\n"
          "<p>Choose a new password with the button below.</p>\n"
          "<p>\n  <a class=\"btn\" href=\"{APP_URL}/_/#/auth/confirm-password-reset/{TOKEN}\" "
          "target=\"_blank\" rel=\"noopener\">Reset password</a>\n</p>\n"
          "<p><i>If you did not ask for a password reset, you can ignore this email.</i></p>\n"
          "<p>\n  Thanks,<br/>\n  {APP_NAME} team\n</p>"};
}

EmailTemplate confirm_email_change_template() {
  return {"Confirm your new {APP_NAME} email address",
          "<p>Hello,</p>\n"
          "<p>Confirm your new email address with the button below.</p>\n"
          "<p>\n  <a class=\"btn\" href=\"{APP_URL}/_/#/auth/confirm-email-change/{TOKEN}\" "
          "target=\"_blank\" rel=\"noopener\">Confirm new email</a>\n</p>\n"
          "<p><i>If you did not ask to change your email address, you can ignore this "
          "email.</i></p>\n"
          "<p>\n  Thanks,<br/>\n  {APP_NAME} team\n</p>"};
}

EmailTemplate otp_template() {
  return {"Your {APP_NAME} one-time password",
          "<p>Hello,</p>\n"
          "<p>Your one-time password is: <strong>{OTP}</strong></p>\n"
          "<p><i>If you did not ask for it, you can ignore this email.</i></p>\n"
          "<p>\n  Thanks,<br/>\n  {APP_NAME} team\n</p>"};
}

EmailTemplate auth_alert_template() {
  return {"New sign-in to your {APP_NAME} account",
          "<p>Hello,</p>\n"
          "<p>Your {APP_NAME} account was just signed in to from a new location:</p>\n"
          "<p><em>{ALERT_INFO}</em></p>\n"
          "<p><strong>If this was not you, change your {APP_NAME} password now to sign out "
          "every other location.</strong></p>\n"
          "<p>If it was you, no action is needed.</p>\n"
          "<p>\n  Thanks,<br/>\n  {APP_NAME} team\n</p>"};
}

TokenConfig token(std::int64_t duration) {
  return TokenConfig{new_token_secret(), duration};
}

}  // namespace

std::string new_token_secret() {
  return random_string(kSecretLength);
}

AuthOptions default_auth_options() {
  AuthOptions o;
  o.auth_rule = std::string();
  o.manage_rule = std::nullopt;
  o.auth_alert = AuthAlertConfig{true, auth_alert_template()};
  o.oauth2 = OAuth2Config{};
  o.password_auth = PasswordAuthConfig{true, std::vector<std::string>{"email"}};
  o.mfa = MfaConfig{false, 600, ""};
  o.otp = OtpConfig{false, 180, 8, otp_template()};
  o.auth_token = token(432000);
  o.password_reset_token = token(1800);
  o.email_change_token = token(1800);
  o.verification_token = token(86400);
  o.file_token = token(180);
  o.verification_template = verification_template();
  o.reset_password_template = reset_password_template();
  o.confirm_email_change_template = confirm_email_change_template();
  return o;
}

}  // namespace basalt::schema
